import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../../lambda/db/migrate.js';
import { MigrationChecksumError } from '../../lambda/db/migration-errors.js';
import { migrations } from '../../lambda/db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('applied migrations are checksummed', () => {
  let db: TestDatabase;
  let client: pg.Client;
  const checksums = async () =>
    (await db.pool.query<{ version: number; checksum: string | null }>('SELECT version, checksum FROM schema_migrations ORDER BY version')).rows;

  before(async () => {
    db = await createTestDatabase('migrate_checksums', { migrate: false });
    client = new pg.Client({ connectionString: db.adminUrl });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await db.drop();
  });

  it('records the SHA-256 of each migration it applies', async () => {
    const result = await migrate(client);
    assert.equal(result.applied.length, migrations.length);
    assert.deepEqual(await checksums(), migrations.map((m) => ({ version: m.version, checksum: sha256(m.sql) })));
  });

  it('fills in the checksums of a database migrated before checksums existed, once (trust on first use)', async () => {
    await db.pool.query('ALTER TABLE schema_migrations DROP COLUMN checksum');
    const first = await migrate(client);
    assert.deepEqual(first.applied, []);
    assert.equal(first.checksumsRecorded.length, migrations.length);
    assert.equal(first.checksumsRecorded[0], '001_user_logins');
    assert.deepEqual(await checksums(), migrations.map((m) => ({ version: m.version, checksum: sha256(m.sql) })));
    const second = await migrate(client);
    assert.deepEqual(second, { applied: [], alreadyApplied: migrations.length, checksumsRecorded: [] });
  });

  it('refuses, naming it, a migration whose text changed after it ran, before applying anything new', async () => {
    const edited = migrations.map((m) => (m.version === 2 ? { ...m, sql: `${m.sql}\nCREATE INDEX quarantine_edit_idx ON user_logins_quarantine (reason);` } : m));
    const pending = { version: 9100, name: 'after_the_edit', sql: 'CREATE TABLE after_the_edit (x int)' };
    await assert.rejects(migrate(client, [...edited, pending]), (error: unknown) => {
      assert.ok(error instanceof MigrationChecksumError);
      assert.deepEqual(error.changed, ['002_quarantine']);
      assert.match(error.message, /^migration 002_quarantine changed after it ran \(checksum in schema_migrations differs\)/);
      return true;
    });
    const created = await db.pool.query(`SELECT to_regclass('after_the_edit') IS NOT NULL AS t, to_regclass('quarantine_edit_idx') IS NOT NULL AS i`);
    assert.deepEqual(created.rows, [{ t: false, i: false }]);
  });

  it('takes the same text with CRLF line endings as unchanged, and ignores versions it does not know', async () => {
    const crlf = migrations.map((m) => ({ ...m, sql: m.sql.replaceAll('\n', '\r\n') }));
    await db.pool.query(`INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'from_a_newer_release', 'x')`);
    const result = await migrate(client, crlf);
    assert.deepEqual(result, { applied: [], alreadyApplied: migrations.length, checksumsRecorded: [] });
  });
});
