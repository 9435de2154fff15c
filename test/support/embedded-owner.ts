/**
 * Child process for demo.test.ts: another tool's embedded server, started
 * under LOGIN_ETL_DATA_DIR (read when this process loads the tools' paths,
 * which the test process itself loaded long before). Prints "READY <url>"
 * once the server runs, and stops it on SIGTERM.
 */
import { startLocalDatabase } from '../../tools/lib/local-database.js';

const owner = await startLocalDatabase();
process.stdout.write(`READY ${owner.url}\n`);
process.once('SIGTERM', () => {
  void owner.stop().finally(() => process.exit(0));
});
setInterval(() => undefined, 60_000);
