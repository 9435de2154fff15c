import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@aws-lambda-powertools/logger';
import pg from 'pg';
import { ConfigError } from '../../lambda/config.js';
import { migrations } from '../../lambda/db/migrations/index.js';
// The module builds its handler from process.env when loaded: the first test sets it, then loads it.
type MigrateModule = typeof import('../../lambda/migrate-handler.js');
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
    process.env.DATABASE_URL = db.adminUrl;
    const { handler } = await import('../../lambda/migrate-handler.js');
    const first = await handler();
    assert.equal(first.applied.length, migrations.length);
    const second = await handler();
    assert.deepEqual(second, {
      applied: [],
      alreadyApplied: migrations.length,
      checksumsRecorded: [],
      operatorLogins: { ensured: [], retired: [] },
    });
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
       FROM (VALUES ('user_logins', 'message_id'), ('user_logins_quarantine', 'message_id')) AS g(t, c)`,
    );
    assert.equal(grants.rows[0]?.ok, true);
  });
});

describe('deploy-time operator logins (OPERATOR_LOGINS)', () => {
  let db: TestDatabase;
  let loadMigrationConfig: MigrateModule['loadMigrationConfig'];
  let createMigrationHandler: MigrateModule['createMigrationHandler'];
  const logger = new Logger({ serviceName: 'login-etl-migrate-test' });
  const run = (operators: string) =>
    createMigrationHandler(loadMigrationConfig({ DATABASE_URL: db.adminUrl, OPERATOR_LOGINS: operators }), logger)();
  const state = async (login: string) =>
    (await db.pool.query<{ login: boolean; operator: boolean }>(
      `SELECT rolcanlogin AS login, pg_has_role(rolname, 'login_etl_operator', 'MEMBER') AS operator FROM pg_roles WHERE rolname = $1`,
      [login],
    )).rows[0];
  before(async () => {
    db = await createTestDatabase('migrate_operators');
    ({ loadMigrationConfig, createMigrationHandler } = await import('../../lambda/migrate-handler.js'));
  });
  after(async () => db.drop());

  it('validates OPERATOR_LOGINS at cold start, naming the variable', () => {
    for (const bad of ['Alice', 'a', 'alice,alice', 'alice;bob', 'x'.repeat(31)]) {
      assert.throws(
        () => loadMigrationConfig({ DATABASE_URL: 'postgres://u@h/d', OPERATOR_LOGINS: bad }),
        (e: unknown) => e instanceof ConfigError && e.variable === 'OPERATOR_LOGINS' && /^configuration: OPERATOR_LOGINS is invalid/.test(e.message),
        bad,
      );
    }
    assert.deepEqual(loadMigrationConfig({ DATABASE_URL: 'postgres://u@h/d', OPERATOR_LOGINS: ' mh_alice, ,mh_bob ' }).operators, ['mh_alice', 'mh_bob']);
    assert.deepEqual(loadMigrationConfig({ DATABASE_URL: 'postgres://u@h/d' }).operators, []);
  });

  it('creates the listed logins; one that leaves the list loses LOGIN and its group, at once; hand-made ones stay', async () => {
    const first = await run('mh_alice,mh_bob');
    assert.deepEqual(first.operatorLogins, { ensured: ['login_etl_op_mh_alice', 'login_etl_op_mh_bob'], retired: [] });
    assert.deepEqual(await state('login_etl_op_mh_bob'), { login: true, operator: true });
    const byHand = await db.operatorUrl('mh_carol');

    // Bob has a session open when the list drops him (a local password stands in for IAM here).
    const bobUrl = await db.operatorUrl('mh_bob');
    const bob = new pg.Client({ connectionString: bobUrl });
    await bob.connect();
    try {
      await bob.query('SELECT count(*) FROM pii_vault');
      const second = await run('mh_alice');
      assert.deepEqual(second.operatorLogins, { ensured: ['login_etl_op_mh_alice'], retired: ['login_etl_op_mh_bob'] });
      assert.deepEqual(await state('login_etl_op_mh_bob'), { login: false, operator: false });
      await assert.rejects(bob.query('SELECT count(*) FROM pii_vault'), { code: '42501' }, 'the open session lost the grants');
    } finally {
      await bob.end();
    }
    const again = new pg.Client({ connectionString: bobUrl });
    await assert.rejects(again.connect(), { code: '28000' }, 'and no new session opens');
    await again.end().catch(() => undefined);
    assert.deepEqual(await state('login_etl_op_mh_alice'), { login: true, operator: true });
    assert.deepEqual(await state('login_etl_op_mh_carol'), { login: true, operator: true }, 'a login made by hand is not the list’s to retire');
    assert.ok(byHand);

    const back = await run('mh_alice,mh_bob');
    assert.deepEqual(back.operatorLogins.retired, []);
    assert.deepEqual(await state('login_etl_op_mh_bob'), { login: true, operator: true }, 'listed again, back in');
    assert.deepEqual((await run('')).operatorLogins.retired, ['login_etl_op_mh_alice', 'login_etl_op_mh_bob']);
  });
});
