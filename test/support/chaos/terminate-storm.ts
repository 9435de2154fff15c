/**
 * Child process for chaos-connections.test.ts: the function's pipeline under
 * load (4 concurrent batches on a pool of 4, as `consume --concurrency 4`)
 * while another session terminates its backends every few milliseconds.
 * Prints one JSON line with the counts; exits 3 if an error escaped as an
 * uncaught exception (the process would have died), 0 otherwise.
 *
 *   node --import tsx test/support/chaos/terminate-storm.ts <seconds>
 * with DATABASE_URL (the pipeline's login), LOGIN_ETL_TEST_ADMIN_URL (to terminate
 * its backends), MASKING_KEYS, VAULT_KEK_FILE in the environment.
 */
import pg from 'pg';
import { loadConfig } from '../../../lambda/config.js';
import { LoginEtl } from '../../../lambda/login-etl.js';
import { sqsEvent } from '../../../tools/lib/sqs-event.js';
import { sampleBodies } from '../samples.js';
import { terminateFunctionBackends } from './db-faults.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const seconds = Number(process.argv[2] ?? 3);
const counts = { batches: 0, records: 0, failedRecords: 0, retriedBatches: 0, terminated: 0, uncaught: '' };
process.on('uncaughtException', (error: Error & { code?: string }) => {
  counts.uncaught = `${error.code ?? error.name}: ${error.message}`;
  console.log(JSON.stringify(counts));
  process.exit(3);
});

const env: NodeJS.ProcessEnv = { ...process.env, DB_POOL_MAX: '4' };
const etl = new LoginEtl(loadConfig(env));
const admin = new pg.Pool({ connectionString: env.LOGIN_ETL_TEST_ADMIN_URL, max: 1 });
const database = new URL(env.DATABASE_URL ?? '').pathname.slice(1);
const stopAt = Date.now() + seconds * 1000;
let batch = 0;
const worker = async () => {
  while (Date.now() < stopAt) {
    batch += 1;
    const bodies = Array.from({ length: 10 }, (_, i) => sampleBodies[(batch * 10 + i) % sampleBodies.length] as string);
    const result = await etl.process(sqsEvent(bodies, { idPrefix: `storm-${batch}` }));
    counts.batches += 1;
    counts.records += result.received;
    counts.failedRecords += result.counts.failed;
    if (result.report.connectionRetried) counts.retriedBatches += 1;
  }
};
const killer = async () => {
  while (Date.now() < stopAt) {
    counts.terminated += await terminateFunctionBackends(admin, database);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
  }
};
await Promise.all([worker(), worker(), worker(), worker(), killer()]);
await admin.end();
await etl.close();
console.log(JSON.stringify(counts));
