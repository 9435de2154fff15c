import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PoolClient } from 'pg';
import { loadConfig } from '../../lambda/config.js';
import { copyIn } from '../../lambda/db/copy-in.js';
import { PostgresLoginStore } from '../../lambda/db/login-store.js';
import { Database } from '../../lambda/db/database.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { processBatch, type BatchReport } from '../../lambda/pipeline/process-batch.js';
import { sqsRecord } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleLogins } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const login = (i: number, patch: Record<string, unknown> = {}) => JSON.stringify({ ...sampleLogins[i], ...patch });
const counts = (report: BatchReport) => {
  const by: Record<string, number> = {};
  for (const o of report.outcomes.values()) by[o.status] = (by[o.status] ?? 0) + 1;
  return by;
};

/** The database, noting the text of every statement sent through it (a COPY included). */
class RecordingDatabase extends Database {
  readonly statements: string[] = [];
  override run<T>(work: (client: PoolClient) => Promise<T>) {
    return super.run((client) => {
      const recorded = new Proxy(client, {
        get: (target, property, receiver) => {
          if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
          return (query: unknown, ...rest: unknown[]) => {
            const text = typeof query === 'string' ? query : (query as { text?: string }).text;
            this.statements.push(text ?? '');
            return (target.query as (...a: unknown[]) => unknown)(query, ...rest);
          };
        },
      });
      return work(recorded);
    });
  }
}

/**
 * Chunks of at least COPY_MIN_ROWS logins are written by COPY, after the
 * write function has stored the chunk's data key and quarantine rows. COPY
 * has no ON CONFLICT: these check the fallback to the function keeps the
 * pipeline's contract (exactly once, a refused row quarantined).
 */
describe('the COPY path', () => {
  let db: TestDatabase;
  let etl: LoginEtl;
  let database: RecordingDatabase;
  let store: PostgresLoginStore;

  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const run = async (bodies: readonly string[], messageIds: readonly string[]) => {
    const r = await etl.resources();
    database.statements.length = 0;
    const records = bodies.map((body, i) => sqsRecord(body, { messageId: messageIds[i] ?? assert.fail('no id'), sentTimestamp: Date.UTC(2026, 10, 1) }));
    return processBatch(records, { store, tokenizer: r.tokenizer, dataKeys: r.dataKeys });
  };
  const copies = () => database.statements.filter((s) => s.startsWith('COPY public.user_logins')).length;
  const rowsOf = async (prefix: string) =>
    (await db.pool.query<{ n: number; sealed: number }>(
      `SELECT count(*)::int AS n, count(pii_sealed)::int AS sealed FROM user_logins WHERE message_id LIKE $1`,
      [`${prefix}-%`],
    )).rows[0];

  before(async () => {
    db = await createTestDatabase('copy_path');
    etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    database = new RecordingDatabase({ connectionString: db.pipelineUrl, max: 1 });
    store = new PostgresLoginStore(database, 5);
  });
  after(async () => {
    await database.close();
    await etl.close();
    await db.drop();
  });

  it('writes a chunk at or above the threshold by COPY, its quarantined message by the function, and a smaller one by the function', async () => {
    const bodies = [...Array.from({ length: 9 }, (_, i) => login(i)), '{"not": "a login"}'];
    assert.deepEqual(counts(await run(bodies, ids('copy-a', 10))), { written: 9, quarantined: 1 });
    assert.equal(copies(), 1, 'one COPY');
    assert.deepEqual(await rowsOf('copy-a'), { n: 9, sealed: 9 });
    assert.equal((await db.pool.query(`SELECT 1 FROM user_logins_quarantine WHERE message_id LIKE 'copy-a-%'`)).rowCount, 1);
    assert.deepEqual(counts(await run([login(20), login(21)], ids('copy-small', 2))), { written: 2 });
    assert.equal(copies(), 0, 'below the threshold: the function alone');
  });

  it('a COPY chunk under a data key already on file, with no quarantine rows, is the COPY alone; the key row is there', async () => {
    const bodies = Array.from({ length: 15 }, (_, i) => login(70 + i));
    const keys = () => database.statements.filter((s) => !s.startsWith('COPY')).length;
    const chunked = async (messageIds: readonly string[]) => {
      const r = await etl.resources();
      database.statements.length = 0;
      const records = bodies.map((body, i) => sqsRecord(body, { messageId: messageIds[i] as string, sentTimestamp: Date.UTC(2026, 10, 1) }));
      return processBatch(records, { store, tokenizer: r.tokenizer, dataKeys: r.dataKeys, chunkSize: 5 });
    };
    assert.deepEqual(counts(await chunked(ids('copy-k', 15))), { written: 15 });
    assert.equal(copies(), 3, 'three chunks, each a COPY');
    assert.ok(keys() <= 1, `at most the first chunk calls the function for the key (${keys()} calls)`);
    const orphans = await db.pool.query(
      `SELECT 1 FROM user_logins l WHERE l.message_id LIKE 'copy-k-%' AND NOT EXISTS (SELECT 1 FROM vault_data_keys k WHERE k.id = l.pii_dek_id)`,
    );
    assert.equal(orphans.rowCount, 0, 'every row names a data key on file');
    assert.deepEqual(await rowsOf('copy-k'), { n: 15, sealed: 15 });
  });

  it('a data key the store wrote no login under is stored again before a COPY, should maintenance have deleted it', async () => {
    const own = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      const r = await own.resources();
      const fresh = new PostgresLoginStore(database, 5);
      const batch = (bodies: readonly string[], prefix: string) =>
        processBatch(
          bodies.map((body, i) => sqsRecord(body, { messageId: `${prefix}-${i}`, sentTimestamp: Date.UTC(2026, 10, 1) })),
          { store: fresh, tokenizer: r.tokenizer, dataKeys: r.dataKeys },
        );
      assert.deepEqual(counts(await batch(['{"not": "a login"}', '[]'], 'copy-m-bad')), { quarantined: 2 });
      // What maintenance does to a data key no kept row names once it is a day old.
      await db.pool.query(`DELETE FROM user_logins_quarantine WHERE message_id LIKE 'copy-m-bad-%'`);
      await db.pool.query(`DELETE FROM vault_data_keys WHERE id NOT IN (SELECT pii_dek_id FROM user_logins WHERE pii_dek_id IS NOT NULL)`);
      assert.deepEqual(counts(await batch(Array.from({ length: 10 }, (_, i) => login(i)), 'copy-m')), { written: 10 });
      const orphans = await db.pool.query(
        `SELECT 1 FROM user_logins l WHERE l.message_id LIKE 'copy-m-%' AND NOT EXISTS (SELECT 1 FROM vault_data_keys k WHERE k.id = l.pii_dek_id)`,
      );
      assert.equal(orphans.rowCount, 0, 'every row names a data key on file');
    } finally {
      await own.close();
    }
  });

  it('a chunk holding one message written before falls back to the function and writes the rest exactly once', async () => {
    const bodies = Array.from({ length: 10 }, (_, i) => login(30 + i));
    const messageIds = ids('copy-b', 10);
    assert.deepEqual(counts(await run(bodies.slice(3, 4), messageIds.slice(3, 4))), { written: 1 }, 'one message, delivered first alone');
    const again = await run(bodies, messageIds);
    assert.equal(copies(), 1, 'COPY was tried');
    assert.deepEqual(counts(again), { written: 9, duplicate: 1 });
    assert.deepEqual(await rowsOf('copy-b'), { n: 10, sealed: 10 });
    assert.deepEqual(counts(await run(bodies, messageIds)), { duplicate: 10 }, 'a whole redelivery writes nothing');
    assert.deepEqual(await rowsOf('copy-b'), { n: 10, sealed: 10 });
  });

  it('a COPY the server refuses, at its statement or at a row, leaves the session in step for the next statement', async () => {
    const { value } = await database.run(async (client) => {
      await assert.rejects(copyIn(client, 'COPY user_logins (no_such_column) FROM STDIN', Buffer.from('x\n')), { code: '42703' });
      await assert.rejects(copyIn(client, 'COPY vault_data_keys (id) FROM STDIN', Buffer.from('not-a-uuid\n2\n3\n')), { code: '22P02' });
      return (await client.query<{ one: number }>('SELECT 1 AS one')).rows;
    });
    assert.deepEqual(value, [{ one: 1 }]);
  });

  it('a chunk with a row Postgres refuses quarantines that row and writes the others', async () => {
    await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT copy_reject CHECK (user_id <> 'reject-me')`);
    try {
      const bodies = Array.from({ length: 10 }, (_, i) => login(50 + i, i === 6 ? { user_id: 'reject-me' } : {}));
      const report = await run(bodies, ids('copy-c', 10));
      assert.ok(copies() >= 1, 'COPY was tried');
      assert.deepEqual(counts(report), { written: 9, quarantined: 1 });
      const q = await db.pool.query<{ reason: string }>(`SELECT reason FROM user_logins_quarantine WHERE message_id LIKE 'copy-c-%'`);
      assert.deepEqual(q.rows, [{ reason: 'rejected_by_database' }]);
      assert.deepEqual(await rowsOf('copy-c'), { n: 9, sealed: 9 });
    } finally {
      await db.pool.query('ALTER TABLE user_logins DROP CONSTRAINT copy_reject');
    }
  });

  /** Where each message ended: a login row, a quarantine row (its reason), or nowhere (back on the queue). */
  const placesOf = async (prefix: string) => {
    const places = new Map<string, string[]>();
    const add = (id: string, place: string) => places.set(id, [...(places.get(id) ?? []), place]);
    for (const r of (await db.pool.query<{ id: string }>('SELECT message_id AS id FROM user_logins WHERE message_id LIKE $1', [`${prefix}-%`])).rows) add(r.id, 'login');
    const q = await db.pool.query<{ id: string; reason: string }>('SELECT message_id AS id, reason FROM user_logins_quarantine WHERE message_id LIKE $1', [`${prefix}-%`]);
    for (const r of q.rows) add(r.id, r.reason);
    return places;
  };

  it('a refused login and an invalid message in one chunk: the invalid one is quarantined once and counted so, the refused one isolated', async () => {
    await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT copy_reject CHECK (user_id <> 'reject-me')`);
    try {
      const bodies = [...Array.from({ length: 8 }, (_, i) => login(50 + i, i === 6 ? { user_id: 'reject-me' } : {})), '{"not": "a login"}'];
      const report = await run(bodies, ids('copy-d', 9));
      assert.ok(copies() >= 1, 'COPY was tried');
      assert.deepEqual(counts(report), { written: 7, quarantined: 2 });
      assert.equal(report.outcomes.get('copy-d-8')?.status, 'quarantined', 'not reported a duplicate of its own row');
      const places = await placesOf('copy-d');
      assert.deepEqual(places.get('copy-d-6'), ['rejected_by_database']);
      assert.deepEqual(places.get('copy-d-8'), ['schema_violation']);
      assert.equal(places.size, 9);
      assert.ok([...places.values()].every((p) => p.length === 1), 'each message in exactly one place');
    } finally {
      await db.pool.query('ALTER TABLE user_logins DROP CONSTRAINT copy_reject');
    }
  });

  it('a transient failure of the COPY fails only the logins: the quarantined message, already committed, is settled and not sent back', async () => {
    await db.pool.query(`CREATE FUNCTION copy_transient() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.user_id = 'boom' THEN RAISE EXCEPTION 'transient' USING ERRCODE = '40001'; END IF; RETURN NEW; END $$`);
    await db.pool.query('CREATE TRIGGER copy_transient BEFORE INSERT ON user_logins FOR EACH ROW EXECUTE FUNCTION copy_transient()');
    const bodies = [...Array.from({ length: 8 }, (_, i) => login(60 + i, i === 3 ? { user_id: 'boom' } : {})), '{"not": "a login"}'];
    const messageIds = ids('copy-e', 9);
    let failed: string[];
    try {
      const report = await run(bodies, messageIds);
      assert.equal(copies(), 1, 'COPY was tried');
      assert.deepEqual(counts(report), { failed: 8, quarantined: 1 });
      assert.equal(report.outcomes.get('copy-e-8')?.status, 'quarantined');
      failed = [...report.outcomes.values()].filter((o) => o.status === 'failed').map((o) => o.messageId);
      assert.deepEqual(failed, messageIds.slice(0, 8), 'the logins go back to the queue, the quarantined one does not');
      const places = await placesOf('copy-e');
      assert.deepEqual([...places.entries()], [['copy-e-8', ['schema_violation']]], 'no login written');
    } finally {
      await db.pool.query('DROP TRIGGER copy_transient ON user_logins');
    }
    // The queue delivers what failed again; each message then ends in exactly one place.
    const again = await run(failed.map((id) => bodies[messageIds.indexOf(id)] ?? ''), failed);
    assert.deepEqual(counts(again), { written: 8 });
    const places = await placesOf('copy-e');
    assert.equal(places.size, 9);
    assert.ok([...places.values()].every((p) => p.length === 1), 'each message in exactly one place');
  });
});
