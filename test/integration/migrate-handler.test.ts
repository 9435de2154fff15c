import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrations } from '../../lambda/db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';

describe('deploy-time migration function', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('migrate_handler', { migrate: false });
  });
  after(async () => db.drop());

  it('migrates with database settings only (no keys), idempotently', async () => {
    for (const key of ['MASKING_KEYS', 'MASKING_KEYS_FILE', 'MASKING_SECRET_ARN', 'VAULT_KEK_FILE', 'VAULT_KMS_KEY_ID']) {
      delete process.env[key];
    }
    process.env.DATABASE_URL = db.url;
    const { handler } = await import('../../lambda/migrate-handler.js');
    const first = await handler();
    assert.equal(first.applied.length, migrations.length);
    const second = await handler();
    assert.deepEqual(second, { applied: [], alreadyApplied: migrations.length, checksumsRecorded: [] });
    const tables = await db.pool.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'user_logins'`);
    assert.equal(tables.rows[0].n, 1);
  });

  it('keys compared byte by byte: tokens and message ids collate as "C", the writer keeps its column grants', async () => {
    const keys = [
      ['user_logins', 'message_id'],
      ['user_logins', 'masked_ip'],
      ['user_logins', 'masked_device_id'],
      ['user_logins_quarantine', 'message_id'],
      ['pii_vault', 'token'],
      ['pii_erasures', 'token'],
    ];
    const collations = await db.pool.query<{ table_name: string; column_name: string; collation_name: string | null }>(
      `SELECT table_name, column_name, collation_name FROM information_schema.columns
       WHERE table_schema = 'public' AND (table_name, column_name) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [keys.map(([t]) => t), keys.map(([, c]) => c)],
    );
    assert.deepEqual(
      collations.rows.map((r) => `${r.table_name}.${r.column_name} ${r.collation_name}`).sort(),
      keys.map(([t, c]) => `${t}.${c} C`).sort(),
    );
    const grants = await db.pool.query<{ ok: boolean }>(
      `SELECT bool_and(has_column_privilege('login_etl_writer', t, c, 'SELECT')) AS ok
       FROM (VALUES ('user_logins', 'message_id'), ('user_logins', 'masked_ip'), ('user_logins', 'masked_device_id'),
                    ('user_logins_quarantine', 'message_id'), ('pii_vault', 'token')) AS g(t, c)`,
    );
    assert.equal(grants.rows[0]?.ok, true);
  });
});
