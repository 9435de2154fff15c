import { loadConfig } from '../lambda/config.js';
import { LoginEtl } from '../lambda/login-etl.js';
import { quarantineReasons } from '../lambda/observability/pipeline-metrics.js';
import { runCommand } from './lib/command-line.js';
import { invoke as definition } from './lib/commands/local.js';
import { readEventFile } from './lib/event-file.js';
import { describeHandlerLogin } from './lib/handler-login.js';
import { migrateDatabase, prepareLocalEnvironment } from './lib/local-environment.js';
import { quietPowertools } from './lib/quiet-powertools.js';
import { formatCounts } from './lib/summary.js';

/** npm run invoke: what it does and takes is its definition's (tools/lib/commands/local.ts), shown by --help. */
runCommand(definition, async ({ options: values, positionals }) => {
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
