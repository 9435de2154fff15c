import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';
import { scaled } from '../support/scale.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

describe('soak: many warm invocations in one sandbox', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('soak');
  });
  after(async () => db.drop());

  it('keeps memory and the pool flat and loses nothing', async (t) => {
    const invocations = scaled(300, 1_000);
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    const heap: number[] = [];
    const rss: number[] = [];
    let maxPool = 0;
    try {
      for (let i = 0; i < invocations; i += 1) {
        const bodies = Array.from({ length: 10 }, (_, j) => sampleBodies[(i * 10 + j) % sampleBodies.length] as string);
        const result = await etl.process(sqsEvent(bodies, { idPrefix: `soak-${i}` }));
        assert.equal(result.counts.failed, 0);
        maxPool = Math.max(maxPool, (await etl.resources()).database.connections.open);
        if (i % Math.floor(invocations / 10) === 0) {
          gc();
          heap.push(process.memoryUsage().heapUsed / MB);
          rss.push(process.memoryUsage().rss / MB);
        }
      }
    } finally {
      await etl.close();
    }
    const rows = await db.pool.query<{ logins: string; quarantined: string }>(
      `SELECT (SELECT count(*) FROM user_logins) AS logins, (SELECT count(*) FROM user_logins_quarantine) AS quarantined`,
    );
    const total = Number(rows.rows[0]?.logins) + Number(rows.rows[0]?.quarantined);
    assert.equal(total, invocations * 10, 'every message has a home');
    assert.equal(maxPool, 1, 'one connection per sandbox, never more');

    // Compare the second sample (after warm-up) with the last: a leak of even
    // 10 KB per invocation would show as megabytes here.
    const growth = (heap.at(-1) as number) - (heap[1] as number);
    t.diagnostic(
      `${invocations} invocations × 10 records; heap after GC ${heap.map((h) => h.toFixed(1)).join(' → ')} MB; ` +
        `RSS ${rss.map((r) => r.toFixed(0)).join(' → ')} MB; pool ${maxPool}`,
    );
    assert.ok(growth < 5, `heap grew ${growth.toFixed(1)} MB`);
  });
});
