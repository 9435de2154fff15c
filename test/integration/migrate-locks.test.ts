import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../../lambda/db/migrate.js';
import { MigrationFailedError, MigrationLockTimeoutError } from '../../lambda/db/migration-errors.js';
import type { TimedMigration } from '../../lambda/db/migration-history.js';
import { migrations } from '../../lambda/db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** ALTER TABLE needs ACCESS EXCLUSIVE: it waits for any open transaction that read the table. */
const addColumn = (version: number, column: string): TimedMigration => ({
  version,
  name: column,
  sql: `ALTER TABLE user_logins ADD COLUMN ${column} integer`,
});

describe('migrations under lock contention (lock_timeout, retries)', () => {
  let db: TestDatabase;
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: db.adminUrl });
    await client.connect();
    clients.push(client);
    return client;
  };
  /** A transaction that read user_logins and stays open: an analyst's long query, say. */
  const holdReadLock = async () => {
    const holder = await connect();
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM user_logins');
    return holder;
  };
  const columnExists = async (column: string) =>
    (await db.pool.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'user_logins' AND column_name = $1`, [column])).rowCount === 1;

  before(async () => {
    db = await createTestDatabase('migrate_locks');
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await db.drop();
  });

  it('runs every step with SET LOCAL lock_timeout and statement_timeout', async () => {
    const probe: TimedMigration = {
      version: 9000,
      name: 'timeouts_probe',
      sql: `CREATE TABLE timeouts_probe AS SELECT current_setting('lock_timeout') AS lock_timeout, current_setting('statement_timeout') AS statement_timeout`,
    };
    const own: TimedMigration = { ...probe, version: 9001, name: 'own_timeouts', sql: probe.sql.replace('timeouts_probe', 'own_timeouts'), statementTimeoutMs: 300_000 };
    const client = await connect();
    await migrate(client, [...migrations, probe, own]);
    const defaults = await db.pool.query('SELECT * FROM timeouts_probe');
    assert.deepEqual(defaults.rows, [{ lock_timeout: '1s', statement_timeout: '1min' }]);
    const overridden = await db.pool.query('SELECT * FROM own_timeouts');
    assert.deepEqual(overridden.rows, [{ lock_timeout: '1s', statement_timeout: '5min' }]);
    const session = await client.query(`SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s`);
    assert.deepEqual(session.rows, [{ l: '0', s: '0' }], 'SET LOCAL: the session keeps its own settings');
  });

  it('gives up waiting behind a lock quickly, lets inserts through, retries, and succeeds once the lock is gone', async () => {
    const holder = await holdReadLock();
    const retries: { migration: string; attempt: number }[] = [];
    const migrator = await connect();
    const running = migrate(migrator, [...migrations, addColumn(9010, 'lock_probe')], {
      lockTimeoutMs: 200,
      backoffMs: 50,
      attempts: 100,
      onRetry: (r) => retries.push(r),
    });
    while (retries.length === 0) await sleep(20);

    // An insert meets the queued ALTER at most for one lock_timeout: it
    // completes while the reader still holds its lock. Without lock_timeout
    // the ALTER would wait for the reader, and the insert behind the ALTER.
    const writer = await connect();
    let inserted = false;
    const insert = writer.query(`INSERT INTO user_logins (user_id, message_id, create_date) VALUES ('lock-probe', 'lock-probe-1', current_date)`).then(() => {
      inserted = true;
    });
    await Promise.race([insert, sleep(10_000)]);
    assert.ok(inserted, 'the insert did not wait for the reader');
    assert.equal(await columnExists('lock_probe'), false, 'the ALTER has not run yet');

    await holder.query('COMMIT');
    const result = await running;
    assert.deepEqual(result.applied, ['9010_lock_probe']);
    assert.ok(retries.length >= 1 && retries.every((r) => r.migration === '9010_lock_probe'));
    assert.equal(await columnExists('lock_probe'), true);
  });

  it('fails with an error naming the migration when the lock is never released, having applied nothing of it', async () => {
    const holder = await holdReadLock();
    const migrator = await connect();
    try {
      const attempts: number[] = [];
      await assert.rejects(
        migrate(migrator, [...migrations, addColumn(9020, 'never_locked')], { lockTimeoutMs: 100, backoffMs: 20, attempts: 3, onRetry: (r) => attempts.push(r.attempt) }),
        (error: unknown) => {
          assert.ok(error instanceof MigrationLockTimeoutError);
          assert.equal(error.migration, '9020_never_locked');
          assert.equal(error.code, '55P03');
          assert.match(error.message, /^migration 9020_never_locked could not take its locks: 3 attempts each gave up after waiting 100 ms \(lock_timeout\)/);
          return true;
        },
      );
      assert.deepEqual(attempts, [1, 2]);
    } finally {
      await holder.query('COMMIT');
    }
    assert.equal(await columnExists('never_locked'), false);
    const row = await db.pool.query('SELECT 1 FROM schema_migrations WHERE version = 9020');
    assert.equal(row.rowCount, 0);
  });

  it('fails at once, naming the migration, when a step exceeds its statement_timeout', async () => {
    const slow: TimedMigration = { version: 9030, name: 'slow_step', sql: 'SELECT pg_sleep(5)', statementTimeoutMs: 100 };
    const retried: unknown[] = [];
    await assert.rejects(migrate(await connect(), [...migrations, slow], { onRetry: (r) => retried.push(r) }), (error: unknown) => {
      assert.ok(error instanceof MigrationFailedError);
      assert.equal(error.code, '57014');
      assert.match(error.message, /^migration 9030_slow_step failed: canceling statement due to statement timeout \(SQLSTATE 57014\)/);
      return true;
    });
    assert.deepEqual(retried, []);
  });
});
