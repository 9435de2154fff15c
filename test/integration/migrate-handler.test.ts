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
    assert.deepEqual(second, { applied: [], alreadyApplied: migrations.length });
    const tables = await db.pool.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'user_logins'`);
    assert.equal(tables.rows[0].n, 1);
  });
});
