import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { withSessionSettings } from '../support/chaos/db-faults.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { repoRoot, runScript } from '../support/run-tool.js';
import { sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/**
 * The two connection faults of the queue chaos run (chaos-queue.test.ts),
 * made deterministic so a regression shows on every run, not on an unlucky
 * one.
 *
 * A sandbox frozen between invocations does not read its sockets: whatever
 * the server does to its idle connection meanwhile (here: closes it after
 * idle_session_timeout) is seen only when the next batch writes. Blocking this
 * process's event loop is exactly that freeze: the next query goes out on the
 * stale connection before the server's goodbye is read. (The chaos run does
 * the same with SIGSTOP on the consumer, where the order is up to the
 * scheduler; test/integration/pipeline.test.ts covers pg_terminate_backend
 * during the freeze.)
 */
function freeze(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const IDLE_SESSION_TIMEOUT_MS = 500;

describe('chaos: connections that die under the function', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('chaos_connections');
  });
  after(async () => db.drop());

  let batch = 0;
  const nextEvent = (size: number) => {
    batch += 1;
    const bodies = Array.from({ length: size }, (_, i) => sampleBodies[(batch * size + i) % sampleBodies.length] as string);
    return sqsEvent(bodies, { idPrefix: `stale-${batch}` });
  };

  const etlFor = (poolMax: number) =>
    new LoginEtl(
      loadConfig(testEnv(withSessionSettings(db.pipelineUrl, { idle_session_timeout: `${IDLE_SESSION_TIMEOUT_MS}ms` }), { DB_POOL_MAX: String(poolMax) })),
    );

  it('closed by idle_session_timeout while frozen (57P05): the next batch lands, retried once', async () => {
    for (const poolMax of [1, 4]) {
      const etl = etlFor(poolMax);
      try {
        // Open poolMax connections (as `consume --concurrency 4` does), then freeze past the timeout.
        const warm = await Promise.all(Array.from({ length: poolMax }, () => etl.process(nextEvent(5))));
        assert.ok(warm.every((r) => r.counts.failed === 0));
        freeze(IDLE_SESSION_TIMEOUT_MS * 3);
        const results = await Promise.all(Array.from({ length: poolMax }, () => etl.process(nextEvent(5))));
        const failed = results.flatMap((r) => [...r.report.outcomes.values()].filter((o) => o.status === 'failed'));
        const codes = failed.map((o) => (o.status === 'failed' ? String((o.error as { code?: unknown }).code) : ''));
        assert.deepEqual([...new Set(codes)], [], `pool of ${poolMax}: records failed after the thaw`);
        assert.ok(results.every((r) => r.report.connectionRetried), `pool of ${poolMax}: each batch retried on a fresh connection`);
      } finally {
        await etl.close();
      }
    }
  });

  it('a pool of 4 whose connections all went stale: a single batch after the thaw still lands', async () => {
    const etl = etlFor(4);
    try {
      const warm = await Promise.all(Array.from({ length: 4 }, () => etl.process(nextEvent(5))));
      assert.ok(warm.every((r) => r.counts.failed === 0));
      assert.equal((await etl.resources()).database.connections.idle, 4, 'four idle connections before the freeze');
      freeze(IDLE_SESSION_TIMEOUT_MS * 3);
      // One poller wakes up first: its retry must not land on another of the dead connections.
      const result = await etl.process(nextEvent(5));
      assert.equal(result.counts.failed, 0, 'nothing goes back to the queue');
      assert.equal(result.report.connectionRetried, true);
    } finally {
      await etl.close();
    }
  });

  it('pg_terminate_backend every few ms under 4 concurrent batches: the process survives, the batches retry or fail transiently', async (t) => {
    // Its own process: an uncaught error would end it, not this test file.
    const run = await runScript(path.join(repoRoot, 'test', 'support', 'chaos', 'terminate-storm.ts'), ['3'], testEnv(db.pipelineUrl, { LOGIN_ETL_TEST_ADMIN_URL: db.adminUrl }), 60_000);
    const counts = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { batches?: number; failedRecords?: number; retriedBatches?: number; terminated?: number; uncaught?: string };
    t.diagnostic(`storm: ${JSON.stringify(counts)}`);
    // It ran: backends were terminated, or the first terminate already killed the process.
    assert.ok((counts.terminated ?? 0) > 0 || Boolean(counts.uncaught), `the storm did not run: ${run.stderr.slice(-500)}`);
    await t.test('no error escapes the pool as an uncaught exception', () => {
      assert.equal(counts.uncaught, '');
      assert.equal(run.code, 0, run.stderr.slice(-2000));
    });
  });
});
