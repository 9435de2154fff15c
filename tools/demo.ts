import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../lambda/config.js';
import { LoginEtl } from '../lambda/login-etl.js';
import { quarantineReasons } from '../lambda/observability/pipeline-metrics.js';
import { runCommand } from './lib/command-line.js';
import { demo as definition } from './lib/commands/local.js';
import { describeHandlerLogin } from './lib/handler-login.js';
import { migrateDatabase, prepareLocalEnvironment } from './lib/local-environment.js';
import { sampleMessagesPath } from './lib/paths.js';
import { quietPowertools } from './lib/quiet-powertools.js';
import { readSampleMessages } from './lib/sample-messages.js';
import { sqsEvent } from './lib/sqs-event.js';
import { formatCounts } from './lib/summary.js';

const short = (token: string | null) => (token ? `${token.slice(0, 12)}…` : '');

/** npm run demo: what it does and takes is its definition's (tools/lib/commands/local.ts), shown by --help. */
runCommand(definition, async ({ options: values }) => {
  quietPowertools(values.logs);
  const { env, database } = await prepareLocalEnvironment((line) => console.log(`  ${line}`));
  const etl = new LoginEtl(loadConfig(env));
  try {
    console.log(`database: ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}`);
    const migration = await migrateDatabase(database.url);
    console.log(`schema:   ${migration.applied.length ? `applied ${migration.applied.join(', ')}` : 'up to date'}`);
    const bodies = await readSampleMessages();
    const event = sqsEvent(bodies);
    console.log(`event:    ${bodies.length} messages from ${path.relative(process.cwd(), sampleMessagesPath)} as one SQS event\n`);

    const { response, report, counts, received } = await etl.process(event);
    console.log(`login:    the handler ran as ${await describeHandlerLogin(etl)}; only the migration used the admin`);
    console.log(`result:   ${formatCounts(received, counts, quarantineReasons(report))}`);
    console.log(`response: ${JSON.stringify(response)}${response.batchItemFailures.length ? '' : '  (nothing to redeliver)'}\n`);

    const quarantined = [...report.outcomes.values()].filter((o) => o.status === 'quarantined');
    if (quarantined.length) {
      console.log('quarantined (body sealed in user_logins_quarantine, reason kept):');
      for (const q of quarantined) if (q.status === 'quarantined') console.log(`  ${q.messageId}  ${q.reason}  ${q.detail}`);
      console.log('');
    }

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const rows = await client.query<Record<string, string | number | null>>(
        `SELECT user_id, device_type, masked_ip, masked_device_id, locale, app_version, app_version_text, create_date::text
         FROM user_logins ORDER BY sent_at, message_id LIMIT 5`,
      );
      console.log('user_logins (first 5; tokens shortened):');
      console.table(
        rows.rows.map((r) => ({
          ...r,
          masked_ip: short(r.masked_ip as string),
          masked_device_id: short(r.masked_device_id as string),
        })),
      );
      const totals = await client.query<{ logins: string; quarantine: string; vault: string; repeated: string }>(
        `SELECT (SELECT count(*) FROM user_logins) AS logins,
                (SELECT count(*) FROM user_logins_quarantine) AS quarantine,
                (SELECT count(*) FROM user_logins WHERE pii_sealed IS NOT NULL) AS vault,
                (SELECT count(*) FROM (SELECT masked_device_id FROM user_logins GROUP BY 1 HAVING count(*) > 1) d) AS repeated`,
      );
      const t = totals.rows[0];
      console.log(
        `tables:   user_logins ${t?.logins} rows, user_logins_quarantine ${t?.quarantine}, ${t?.vault} with sealed originals, ` +
          `${t?.repeated} device tokens seen more than once`,
      );
      console.log('run it again: the same message ids are redelivered and nothing new is written.');
    } finally {
      await client.end();
    }
  } finally {
    await etl.close();
    await database.stop();
  }
});
