import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { buildBatchResponse } from '../../lambda/pipeline/batch-response.js';
import { processBatch, WRITE_CHUNK_SIZE, type BatchReport } from '../../lambda/pipeline/process-batch.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const FIFO_ARN = 'arn:aws:sqs:eu-west-1:123456789012:logins.fifo';
const goodBodies = sampleBodies.filter((b) => (JSON.parse(b) as { user_id?: unknown }).user_id !== undefined);

const statuses = (report: BatchReport) => [...report.outcomes.values()].map((o) => o.status);

/**
 * A batch larger than a chunk is written one statement per chunk, the next
 * chunk prepared while the previous one runs. These check that chunking
 * keeps the batch's contract: every record settled by the statement that
 * holds it, the first transient failure ending the batch, FIFO order kept.
 */
describe('chunked batches against a real Postgres', () => {
  let db: TestDatabase;
  let etl: LoginEtl;
  before(async () => {
    db = await createTestDatabase('chunked');
    // A short statement timeout turns a held lock into a transient failure.
    etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl, { DB_STATEMENT_TIMEOUT_MS: '500' })));
  });
  after(async () => {
    await etl.close();
    await db.drop();
  });

  const run = async (bodies: readonly string[], idPrefix: string, fifo = false) => {
    const event = sqsEvent(bodies, fifo ? { idPrefix, queueArn: FIFO_ARN } : { idPrefix });
    const r = await etl.resources();
    const report = await processBatch(event.Records, { store: r.store, tokenizer: r.tokenizer, dataKeys: r.dataKeys, chunkSize: 4 });
    return { event, report, response: buildBatchResponse(event.Records, (id) => report.outcomes.get(id), report.fifo) };
  };
  const rows = async (ids: readonly string[]) =>
    Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM user_logins WHERE message_id = ANY($1)', [ids])).rows[0]?.n);

  it('writes a batch of 10 in chunks of 4: three statements, every record written once', async () => {
    const { event, report, response } = await run(goodBodies.slice(0, 10), 'chunks');
    assert.equal(report.statements, 3);
    assert.deepEqual(statuses(report), Array(10).fill('written'));
    assert.deepEqual(response, { batchItemFailures: [] });
    assert.equal(await rows(event.Records.map((r) => r.messageId)), 10);

    const again = await run(goodBodies.slice(0, 10), 'chunks');
    assert.deepEqual(statuses(again.report), Array(10).fill('duplicate'));
    assert.equal(await rows(event.Records.map((r) => r.messageId)), 10);
  });

  it('bisects a rejected row inside its chunk and goes on with the next chunks', async () => {
    await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT test_reject CHECK (user_id <> 'reject-me')`);
    try {
      const bodies = goodBodies.slice(10, 20).map((b, i) => (i === 5 ? JSON.stringify({ ...JSON.parse(b), user_id: 'reject-me' }) : b));
      const { report, response } = await run(bodies, 'chunk-reject');
      assert.deepEqual(statuses(report), [...Array(5).fill('written'), 'quarantined', ...Array(4).fill('written')]);
      assert.deepEqual(response, { batchItemFailures: [] });
      assert.ok(report.statements > 3, 'chunk 2 was bisected');
    } finally {
      await db.pool.query('ALTER TABLE user_logins DROP CONSTRAINT test_reject');
    }
  });

  for (const fifo of [false, true]) {
    it(`a transient failure in chunk 2 keeps chunk 1, fails the rest (${fifo ? 'FIFO' : 'standard'} queue)`, async () => {
      const bodies = goodBodies.slice(20, 30);
      const prefix = fifo ? 'chunk-fifo' : 'chunk-std';
      const record = sqsEvent(bodies, { idPrefix: prefix }).Records[5];
      const blocked = record?.messageId as string;
      const blockedDate = new Date(Number(record?.attributes.SentTimestamp)).toISOString().slice(0, 10);
      // Another transaction holds an uncommitted row with record 5's message id:
      // chunk 2's ON CONFLICT waits for it until the statement timeout (57014).
      const holder = new pg.Client({ connectionString: db.adminUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('INSERT INTO user_logins (message_id, create_date) VALUES ($1, $2)', [blocked, blockedDate]);
        const { event, report, response } = await run(bodies, prefix, fifo);
        assert.deepEqual(statuses(report), [...Array(4).fill('written'), ...Array(6).fill('failed')]);
        assert.equal(report.statements, 2, 'chunk 3 is not sent after chunk 2 failed');
        const ids = event.Records.map((r) => r.messageId);
        assert.deepEqual(response.batchItemFailures.map((f) => f.itemIdentifier), ids.slice(4));
        assert.equal(await rows(ids.slice(0, 4)), 4);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      const retry = await run(bodies, prefix, fifo);
      assert.deepEqual(statuses(retry.report), [...Array(4).fill('duplicate'), ...Array(6).fill('written')]);
    });
  }

  it('keeps one statement for a batch up to the chunk size', async () => {
    assert.ok(WRITE_CHUNK_SIZE >= 10);
    const event = sqsEvent(goodBodies.slice(30, 40), { idPrefix: 'one-chunk' });
    const r = await etl.resources();
    const report = await processBatch(event.Records, { store: r.store, tokenizer: r.tokenizer, dataKeys: r.dataKeys });
    assert.equal(report.statements, 1);
  });
});
