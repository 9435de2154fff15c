import { loadConfig } from '../lambda/config.js';
import { LoginEtl } from '../lambda/login-etl.js';
import { quarantineReasons } from '../lambda/observability/pipeline-metrics.js';
import { parseCliArgs, runCli, UsageError } from './lib/cli.js';
import { readEventFile } from './lib/event-file.js';
import { describeHandlerLogin } from './lib/handler-login.js';
import { migrateDatabase, prepareLocalEnvironment } from './lib/local-environment.js';
import { quietPowertools } from './lib/quiet-powertools.js';
import { formatCounts } from './lib/summary.js';

/**
 * npm run invoke -- <event.json> [--logs]: the handler on any event file in
 * the shape `sam local invoke -e` takes. Prints the SQSBatchResponse (stdout)
 * and a one-line summary (stderr).
 */
runCli('invoke', async () => {
  const { values, positionals } = parseCliArgs({ logs: { type: 'boolean', default: false } });
  if (positionals.length !== 1) throw new UsageError('usage: npm run invoke -- <event.json> [--logs]');
  const file = positionals[0] as string;
  const event = await readEventFile(file);
  quietPowertools(values.logs);
  const { env, database } = await prepareLocalEnvironment();
  const etl = new LoginEtl(loadConfig(env));
  try {
    await migrateDatabase(database.url);
    const result = await etl.process(event);
    const { response, report, counts, received } = result;
    console.log(JSON.stringify(response, null, 2));
    const thrown = 'thrown' in etl.answer(result);
    console.error(
      `${formatCounts(received, counts, quarantineReasons(report))}; ${response.batchItemFailures.length} to redeliver` +
        (thrown ? ' (in Lambda the handler throws FullBatchFailureError here, and the whole batch is retried)' : ''),
    );
    if (counts.failed === 0) console.error(`the handler ran as ${await describeHandlerLogin(etl)}`);
  } finally {
    await etl.close();
    await database.stop();
  }
});
