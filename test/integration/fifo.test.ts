import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const FIFO_ARN = 'arn:aws:sqs:us-east-1:000000000000:login-queue.fifo';

describe('FIFO batches', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('fifo');
    // A row Postgres always rejects (check_violation: permanent), and a row that
    // fails transiently (serialization_failure) while the switch is on. The
    // trigger reads the switch with its owner's rights: the pipeline's login may not.
    await db.pool.query(`
      CREATE TABLE fault_switch(on_ boolean NOT NULL);
      INSERT INTO fault_switch VALUES (true);
      CREATE FUNCTION inject_faults() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        IF NEW.user_id = 'always-rejected' THEN
          RAISE EXCEPTION 'rejected for the test' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.user_id = 'flaky' AND (SELECT on_ FROM fault_switch) THEN
          RAISE EXCEPTION 'flaky for the test' USING ERRCODE = 'serialization_failure';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER inject_faults BEFORE INSERT ON user_logins FOR EACH ROW EXECUTE FUNCTION inject_faults();`);
  });
  after(async () => db.drop());

  it('commits nothing after a transient failure, reports it and all later records, and redelivery restores order', async () => {
    const bodies = sampleBodies.slice(0, 10).map((b, i) => {
      const m = JSON.parse(b) as Record<string, unknown>;
      return JSON.stringify({ ...m, user_id: i === 2 ? 'always-rejected' : i === 5 ? 'flaky' : `fifo-${i}` });
    });
    const event = sqsEvent(bodies, { idPrefix: 'fifo', queueArn: FIFO_ARN });
    const ids = event.Records.map((r) => r.messageId);
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      const first = await etl.process(event);
      assert.equal(first.report.fifo, true);
      assert.deepEqual(first.response.batchItemFailures.map((f) => f.itemIdentifier), ids.slice(5));
      assert.deepEqual(first.counts, { written: 4, duplicate: 0, quarantined: 1, failed: 5 });
      const landed = await db.pool.query<{ user_id: string }>(`SELECT user_id FROM user_logins ORDER BY sent_at`);
      assert.deepEqual(landed.rows.map((r) => r.user_id), ['fifo-0', 'fifo-1', 'fifo-3', 'fifo-4'], 'nothing after the failure');

      await db.pool.query('UPDATE fault_switch SET on_ = false');
      const redelivered = { Records: event.Records.slice(5) };
      const second = await etl.process(redelivered);
      assert.deepEqual(second.response, { batchItemFailures: [] });
      assert.equal(second.counts.written, 5);

      const all = await db.pool.query<{ user_id: string; ingested_at: Date }>(
        `SELECT user_id, ingested_at FROM user_logins ORDER BY sent_at`,
      );
      assert.deepEqual(all.rows.map((r) => r.user_id), ['fifo-0', 'fifo-1', 'fifo-3', 'fifo-4', 'flaky', 'fifo-6', 'fifo-7', 'fifo-8', 'fifo-9']);
      const times = all.rows.map((r) => r.ingested_at.getTime());
      for (let i = 1; i < times.length; i += 1) assert.ok((times[i - 1] as number) <= (times[i] as number), 'committed in queue order');
    } finally {
      await etl.close();
    }
  });

  it('on a standard queue, a transient failure fails only what did not commit', async () => {
    await db.pool.query('UPDATE fault_switch SET on_ = true');
    const bodies = sampleBodies.slice(20, 26).map((b, i) => {
      const m = JSON.parse(b) as Record<string, unknown>;
      return JSON.stringify({ ...m, user_id: i === 1 ? 'always-rejected' : i === 4 ? 'flaky' : `std-${i}` });
    });
    const event = sqsEvent(bodies, { idPrefix: 'standard' });
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      const result = await etl.process(event);
      const failed = new Set(result.response.batchItemFailures.map((f) => f.itemIdentifier));
      const committed = await db.pool.query<{ message_id: string }>(
        `SELECT message_id FROM user_logins WHERE message_id = ANY($1)
         UNION ALL SELECT message_id FROM user_logins_quarantine WHERE message_id = ANY($1)`,
        [event.Records.map((r) => r.messageId)],
      );
      const done = new Set(committed.rows.map((r) => r.message_id));
      for (const r of event.Records) {
        assert.ok(done.has(r.messageId) !== failed.has(r.messageId), `${r.messageId}: exactly one of committed / reported`);
      }
      assert.ok(failed.has(event.Records[4]?.messageId as string));
    } finally {
      await etl.close();
    }
  });
});
