import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SQSRecord } from 'aws-lambda';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { ORIGINAL_MESSAGE_ID_ATTRIBUTE } from '../../lambda/pipeline/idempotency-key.js';
import { sqsRecord, stableMessageId } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const id = (seed: string) => stableMessageId(`idempotency-key-${seed}`);

/** A record as SQS delivers a redriven message: its own new id, the first id in the attribute. */
function redriven(body: string, messageId: string, original: unknown): SQSRecord {
  const record = sqsRecord(body, { messageId });
  return { ...record, messageAttributes: { [ORIGINAL_MESSAGE_ID_ATTRIBUTE]: original as SQSRecord['messageAttributes'][string] } };
}
const originalId = (value: string) => ({ dataType: 'String', stringValue: value, stringListValues: [], binaryListValues: [] });

describe('the pipeline keys rows by the original message id of a redriven message', () => {
  let db: TestDatabase;
  let etl: LoginEtl;
  const env = () => testEnv(db.pipelineUrl);
  before(async () => {
    db = await createTestDatabase('idempotency_key');
    etl = new LoginEtl(loadConfig(env()));
  });
  after(async () => {
    await etl.close();
    await db.drop();
  });

  const stored = async () => {
    const rows = await db.pool.query<{ message_id: string; t: string }>(
      `SELECT message_id, 'login' AS t FROM user_logins UNION ALL SELECT message_id, 'quarantine' FROM user_logins_quarantine ORDER BY 1`,
    );
    return rows.rows.map((r) => `${r.t}:${r.message_id}`).sort();
  };

  it('absorbs a redriven copy of a committed message, shares one outcome per key, ignores a malformed attribute', async () => {
    const [a, x, e, q] = [id('a'), id('x'), id('e'), id('q')];
    const first = await etl.process({ Records: [sqsRecord(sampleBodies[0] as string, { messageId: a })] });
    assert.deepEqual(first.counts, { written: 1, duplicate: 0, quarantined: 0, failed: 0 });

    const event = {
      Records: [
        redriven(sampleBodies[0] as string, id('b'), originalId(a)), // committed before under a
        redriven(sampleBodies[1] as string, id('c'), originalId(x)), // first time: stored under x
        redriven(sampleBodies[1] as string, id('d'), originalId(x)), // same key in the same batch: one message
        redriven(sampleBodies[2] as string, e, { dataType: 'String', stringValue: 'not an id' }), // ignored
        redriven('{not json', id('f'), originalId(q)), // quarantined under its original id
      ],
    };
    const result = await etl.process(event);
    assert.deepEqual(result.response, { batchItemFailures: [] });
    assert.deepEqual(result.counts, { written: 3, duplicate: 1, quarantined: 1, failed: 0 });
    assert.deepEqual([...result.report.outcomes.keys()], event.Records.map((r) => r.messageId), 'one outcome per event message id');
    const outcomeOf = (i: number) => result.report.outcomes.get(event.Records[i]?.messageId as string);
    assert.equal(outcomeOf(0)?.status, 'duplicate');
    assert.equal(outcomeOf(1), outcomeOf(2), 'records sharing a key share its outcome');
    assert.deepEqual(outcomeOf(1), { messageId: x, status: 'written' });
    assert.equal(outcomeOf(4)?.messageId, q);
    assert.deepEqual(await stored(), [`login:${a}`, `login:${x}`, `login:${e}`, `quarantine:${q}`].sort());

    const again = await etl.process(event);
    assert.deepEqual(again.counts, { written: 0, duplicate: 5, quarantined: 0, failed: 0 });
    assert.equal((await stored()).length, 4);
  });

  it('names the event message ids, never the keys, in batchItemFailures', async () => {
    const down = new LoginEtl(loadConfig(testEnv('postgres://nobody@127.0.0.1:1/none', { DB_CONNECT_TIMEOUT_MS: '500' })));
    try {
      const records = [redriven(sampleBodies[3] as string, id('g'), originalId(id('h'))), sqsRecord(sampleBodies[4] as string, { messageId: id('i') })];
      const result = await down.process({ Records: records });
      assert.deepEqual(
        result.response.batchItemFailures.map((f) => f.itemIdentifier),
        records.map((r) => r.messageId),
      );
    } finally {
      await down.close();
    }
  });
});
