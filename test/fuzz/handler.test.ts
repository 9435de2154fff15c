import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { SQSEvent } from 'aws-lambda';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsRecord, stableMessageId } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';
import { envelopedBody, loginBody, nastyBodies } from './arbitraries.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const body = fc.oneof(
  fc.constantFrom(...sampleBodies),
  loginBody(),
  envelopedBody(),
  fc.constantFrom(...Object.values(nastyBodies).filter((b) => b.length < 100_000)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
);

let batchNo = 0;
/** A batch of up to 15 records; some message ids repeat, as a redelivery inside one batch would. */
const batch = fc.array(fc.tuple(body, fc.nat({ max: 20 })), { minLength: 1, maxLength: 15 }).map((items) => {
  const prefix = `fuzz-${(batchNo += 1)}`;
  return {
    Records: items.map(([b, slot]) => sqsRecord(b, { messageId: stableMessageId(`${prefix}-${slot}`) })),
  } satisfies SQSEvent;
});

describe('fuzz: the handler on hostile batches, against Postgres', () => {
  let db: TestDatabase;
  let etl: LoginEtl;
  before(async () => {
    db = await createTestDatabase('fuzz_handler');
    etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
  });
  after(async () => {
    await etl.close();
    await db.drop();
  });

  it('gives every record exactly one outcome and one home, and redelivery changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (event) => {
        const ids = [...new Set(event.Records.map((r) => r.messageId))];
        const first = await etl.process(event);
        assert.equal(first.report.outcomes.size, ids.length);
        for (const f of first.response.batchItemFailures) assert.ok(ids.includes(f.itemIdentifier));
        assert.deepEqual(first.response.batchItemFailures, [], 'a healthy database fails nothing');

        const homes = await db.pool.query<{ message_id: string; n: string }>(
          `SELECT message_id, count(*) AS n FROM (
             SELECT message_id FROM user_logins WHERE message_id = ANY($1)
             UNION ALL SELECT message_id FROM user_logins_quarantine WHERE message_id = ANY($1)) h
           GROUP BY message_id`,
          [ids],
        );
        assert.equal(homes.rowCount, ids.length, 'every message id has a home');
        for (const h of homes.rows) assert.equal(Number(h.n), 1, `${h.message_id} lives in one place`);

        const again = await etl.process(event);
        assert.equal(again.counts.written + again.counts.quarantined, 0, 'redelivery writes nothing');
      }),
      { numRuns: 40 },
    );
  });
});
