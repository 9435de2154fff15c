import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lambda/config.js';
import { FullBatchFailureError } from '../../lambda/errors.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { scanDatabaseForPii } from '../support/pii-scan.js';
import { sampleBodies } from '../support/samples.js';
import { repoRoot } from '../support/run-tool.js';
import { TcpProxy } from '../../tools/lib/tcp-proxy.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const count = async (db: TestDatabase, table: string) =>
  Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

describe('pipeline against a real Postgres', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('pipeline');
  });
  after(async () => db.drop());

  it('writes 99 sample logins and quarantines the malformed one, then absorbs a redelivery', async () => {
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      const event = sqsEvent(sampleBodies, { idPrefix: 'samples' });
      const first = await etl.handle(event);
      assert.deepEqual(first, { batchItemFailures: [] });
      assert.equal(await count(db, 'user_logins'), 99);
      assert.equal(await count(db, 'user_logins_quarantine'), 1);
      const q = await db.pool.query('SELECT reason, detail FROM user_logins_quarantine');
      assert.equal(q.rows[0].reason, 'schema_violation');
      assert.match(q.rows[0].detail, /user_id: is required/);

      const again = await etl.process(event);
      assert.deepEqual(again.response, { batchItemFailures: [] });
      assert.deepEqual(again.counts, { written: 0, duplicate: 100, quarantined: 0, failed: 0 });
      assert.equal(await count(db, 'user_logins'), 99);
      assert.equal(await count(db, 'user_logins_quarantine'), 1);
      assert.equal(await count(db, 'pii_vault'), 198, 'one vault entry per distinct ip and device id');

      const dates = await db.pool.query(`SELECT DISTINCT create_date::text AS d FROM user_logins`);
      assert.deepEqual(dates.rows, [{ d: '2026-11-01' }], 'create_date comes from SentTimestamp');
      const versions = await db.pool.query(
        `SELECT app_version, app_version_text FROM user_logins WHERE app_version_text IN ('2.3.0', '0.96')`,
      );
      for (const row of versions.rows) {
        assert.equal(row.app_version, row.app_version_text === '2.3.0' ? 2_003_000 : 96_000);
      }
      assert.deepEqual(await scanDatabaseForPii(db.pool), [], 'no plain ip or device id in any table');
    } finally {
      await etl.close();
    }
  });

  it('isolates a row Postgres rejects, quarantines it and commits the others', async () => {
    await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT test_reject CHECK (user_id <> 'reject-me')`);
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      const bodies = sampleBodies.slice(0, 8).map((b, i) => {
        const m = JSON.parse(b) as Record<string, unknown>;
        return JSON.stringify({ ...m, user_id: i === 5 ? 'reject-me' : `user-${i}` });
      });
      const result = await etl.process(sqsEvent(bodies, { idPrefix: 'reject' }));
      assert.deepEqual(result.response, { batchItemFailures: [] });
      assert.deepEqual(result.counts, { written: 7, duplicate: 0, quarantined: 1, failed: 0 });
      assert.ok(result.report.statements > 1, 'the batch was bisected');
      const q = await db.pool.query(
        `SELECT reason, detail FROM user_logins_quarantine WHERE message_id = $1`,
        [sqsEvent(bodies, { idPrefix: 'reject' }).Records[5]?.messageId],
      );
      assert.equal(q.rows[0].reason, 'rejected_by_database');
      assert.match(q.rows[0].detail, /SQLSTATE 23514/);
    } finally {
      await db.pool.query(`ALTER TABLE user_logins DROP CONSTRAINT test_reject`);
      await etl.close();
    }
  });

  it('reports every record when the database is unreachable, then lands the retried batch in full', async () => {
    const target = new URL(db.pipelineUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const etl = new LoginEtl(loadConfig(testEnv(proxy.url(db.pipelineUrl), { DB_CONNECT_TIMEOUT_MS: '1000' })));
    const bodies = sampleBodies.slice(20, 30);
    const event = sqsEvent(bodies, { idPrefix: 'outage' });
    try {
      await proxy.stop();
      const down = await etl.process(event);
      assert.equal(down.counts.failed, 10);
      assert.deepEqual(
        down.response.batchItemFailures.map((f) => f.itemIdentifier),
        event.Records.map((r) => r.messageId),
      );
      await assert.rejects(etl.handle(event), FullBatchFailureError, 'a full failure throws so Lambda backs off');
      const first = [...down.report.outcomes.values()][0];
      assert.ok(first?.status === 'failed' && down.fullFailure?.cause === first.error, 'its cause is the first failure');
      assert.deepEqual(etl.answer(down), { thrown: down.fullFailure });
      const lenient = new LoginEtl(loadConfig(testEnv(db.pipelineUrl, { THROW_ON_FULL_BATCH_FAILURE: 'false' })));
      assert.deepEqual(lenient.answer(down), { response: down.response }, 'unless THROW_ON_FULL_BATCH_FAILURE is off');

      await proxy.restart();
      const up = await etl.process(event);
      assert.deepEqual(up.response, { batchItemFailures: [] });
      assert.equal(up.counts.written, 10);
    } finally {
      await etl.close();
      await proxy.stop();
    }
  });

  it('replaces a connection terminated between invocations and loses nothing', async () => {
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      const warm = await etl.process(sqsEvent(sampleBodies.slice(40, 45), { idPrefix: 'terminate-a' }));
      assert.equal(warm.counts.written, 5);
      const killed = await db.pool.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'login-etl' AND pid <> pg_backend_pid()`,
      );
      assert.ok(killed.rowCount && killed.rowCount >= 1, 'the cached connection was terminated');
      const next = await etl.process(sqsEvent(sampleBodies.slice(45, 50), { idPrefix: 'terminate-b' }));
      assert.deepEqual(next.response, { batchItemFailures: [] });
      assert.equal(next.counts.written, 5);
    } finally {
      await etl.close();
    }
  });

  it('detects a connection that died while the sandbox was frozen and retries once', async () => {
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      assert.equal((await etl.process(sqsEvent(sampleBodies.slice(50, 55), { idPrefix: 'frozen-a' }))).counts.written, 5);
      // Terminate from another process while this one's event loop is blocked,
      // as a frozen sandbox's is: the pool cannot have seen the socket close
      // when the next invocation takes the connection.
      execFileSync(process.execPath, ['--input-type=module', '-e', `
        import pg from 'pg';
        const c = new pg.Client(${JSON.stringify(db.adminUrl)});
        await c.connect();
        await c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'login-etl'");
        await c.end();`], { cwd: repoRoot });
      const next = await etl.process(sqsEvent(sampleBodies.slice(55, 60), { idPrefix: 'frozen-b' }));
      assert.deepEqual(next.response, { batchItemFailures: [] });
      assert.equal(next.counts.written, 5);
      assert.equal(next.report.connectionRetried, true, 'the dead connection was detected and replaced once');
    } finally {
      await etl.close();
    }
  });
});
