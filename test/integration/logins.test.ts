import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../lambda/config.js';
import { OPERATOR_ROLE, PIPELINE_LOGIN, WRITER_ROLE } from '../../lambda/db/login-names.js';
import { ensureOperatorLogin, ensurePipelineLogin } from '../../lambda/db/logins.js';
import { WRITE_FUNCTION } from '../../lambda/db/write-spec.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/** Every privilege a role has on this database's objects (tables, columns, functions, sequences, schema), as text. */
const PRIVILEGES_SQL = `
WITH rels AS (
  SELECT c.oid, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'S')
)
SELECT format('table %s %s', r.relname, p) AS privilege FROM rels r,
  unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p
WHERE r.relkind <> 'S' AND has_table_privilege($1, r.oid, p)
UNION ALL
SELECT format('column %s.%s %s', r.relname, a.attname, p) FROM rels r
  JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped,
  unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) AS p
WHERE r.relkind <> 'S' AND has_column_privilege($1, r.oid, a.attnum, p)
UNION ALL
SELECT format('sequence %s %s', r.relname, p) FROM rels r, unnest(ARRAY['USAGE', 'SELECT', 'UPDATE']) AS p
WHERE r.relkind = 'S' AND has_sequence_privilege($1, r.oid, p)
UNION ALL
SELECT format('function %s EXECUTE', f.oid::regprocedure) FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace
WHERE n.nspname = 'public' AND has_function_privilege($1, f.oid, 'EXECUTE')
UNION ALL
SELECT format('schema public %s', p) FROM unnest(ARRAY['USAGE', 'CREATE']) AS p WHERE has_schema_privilege($1, 'public', p)
UNION ALL
SELECT format('database %s', p) FROM unnest(ARRAY['CREATE', 'TEMPORARY']) AS p WHERE has_database_privilege($1, current_database(), p)
ORDER BY 1`;

describe('the logins login-etl runs as', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('logins');
  });
  after(async () => db.drop());

  const privileges = async (role: string) =>
    (await db.pool.query<{ privilege: string }>(PRIVILEGES_SQL, [role])).rows.map((r) => r.privilege);
  const login = async (role: string) =>
    (await db.pool.query(
      `SELECT rolcanlogin AS login, rolsuper AS super, rolcreatedb AS createdb, rolcreaterole AS createrole,
              rolreplication AS replication, rolbypassrls AS bypassrls, rolinherit AS inherit,
              ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                    WHERE m.member = r.oid AND g.rolname <> 'rds_iam' ORDER BY 1) AS member_of
       FROM pg_roles r WHERE rolname = $1`,
      [role],
    )).rows[0];
  const plainLogin = (memberOf: string) => ({
    login: true, super: false, createdb: false, createrole: false, replication: false, bypassrls: false, inherit: true, member_of: [memberOf],
  });

  it('login_etl_pipeline: a login, nothing more, a member of login_etl_writer only', async () => {
    assert.deepEqual(await login(PIPELINE_LOGIN), plainLogin(WRITER_ROLE));
  });

  it("login_etl_pipeline holds exactly the writer's privileges on every object, and owns nothing", async () => {
    const writer = await privileges(WRITER_ROLE);
    assert.ok(writer.includes('table user_logins INSERT') && !writer.includes('table pii_vault INSERT') && writer.some((p) => p.startsWith('function login_etl_write_v')));
    assert.deepEqual(await privileges(PIPELINE_LOGIN), writer);
    const owned = await db.pool.query(`SELECT 1 FROM pg_class WHERE relowner = to_regrole($1) UNION ALL SELECT 1 FROM pg_proc WHERE proowner = to_regrole($1)`, [PIPELINE_LOGIN]);
    assert.equal(owned.rowCount, 0);
  });

  it("every grant the writer holds is needed: without any one of them the pipeline's write fails with 42501", async () => {
    const grants = await db.pool.query<{ revoke: string; grant: string }>(
      `SELECT format('REVOKE %s ON %s FROM login_etl_writer', g.privilege_type, g.table_name) AS revoke,
              format('GRANT %s ON %s TO login_etl_writer', g.privilege_type, g.table_name) AS grant
       FROM information_schema.role_table_grants g WHERE g.grantee = 'login_etl_writer'
       UNION ALL
       SELECT format('REVOKE %s (%I) ON %s FROM login_etl_writer', c.privilege_type, c.column_name, c.table_name),
              format('GRANT %s (%I) ON %s TO login_etl_writer', c.privilege_type, c.column_name, c.table_name)
       FROM information_schema.column_privileges c WHERE c.grantee = 'login_etl_writer'
         AND NOT EXISTS (SELECT 1 FROM information_schema.role_table_grants t
                         WHERE t.grantee = c.grantee AND t.table_name = c.table_name AND t.privilege_type = c.privilege_type)
       UNION ALL
       SELECT format('REVOKE EXECUTE ON FUNCTION %s FROM login_etl_writer', p.oid::regprocedure),
              format('GRANT EXECUTE ON FUNCTION %s TO login_etl_writer', p.oid::regprocedure)
       FROM pg_proc p WHERE p.proname = $1 AND has_function_privilege('login_etl_writer', p.oid, 'EXECUTE')
       ORDER BY 1`,
      // The write function this code calls; the previous version stays executable for sandboxes still running it during a deploy.
      [WRITE_FUNCTION],
    );
    assert.ok(grants.rows.length >= 6, 'the writer has grants to check');
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      // One valid login and one quarantined body: every part of the write runs.
      const batch = (prefix: string) => sqsEvent([sampleBodies[0] as string, '{"not": "a login"}'], { idPrefix: prefix });
      const failedWith: Record<string, unknown> = {};
      for (const [i, { revoke, grant }] of grants.rows.entries()) {
        await db.pool.query(revoke);
        try {
          const result = await etl.process(batch(`grant-${i}`));
          const outcome = [...result.report.outcomes.values()][0];
          failedWith[revoke] = outcome?.status === 'failed' ? (outcome.error as { code?: string }).code : outcome?.status;
        } finally {
          await db.pool.query(grant);
        }
      }
      assert.deepEqual(failedWith, Object.fromEntries(grants.rows.map((g) => [g.revoke, '42501'])));
      const restored = await etl.process(batch('grant-restored'));
      assert.deepEqual(restored.counts, { written: 1, duplicate: 0, quarantined: 1, failed: 0 }, 'and with all of them it works');
    } finally {
      await etl.close();
    }
  });

  it("an operator's login: a member of login_etl_operator only, with exactly its privileges", async () => {
    const url = await db.operatorUrl('logins_test');
    assert.deepEqual(await login('login_etl_op_logins_test'), plainLogin(OPERATOR_ROLE));
    assert.deepEqual(await privileges('login_etl_op_logins_test'), await privileges(OPERATOR_ROLE));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      assert.deepEqual((await client.query('SELECT session_user AS u')).rows, [{ u: 'login_etl_op_logins_test' }]);
    } finally {
      await client.end();
    }
  });

  it('setting a login up again puts wrong attributes right, and refuses a login that belongs to another role', async () => {
    const admin = await db.pool.connect();
    try {
      await ensureOperatorLogin(admin, 'logins_fixme');
      await admin.query('ALTER ROLE login_etl_op_logins_fixme NOLOGIN CREATEDB CREATEROLE NOINHERIT');
      await ensureOperatorLogin(admin, 'logins_fixme');
      assert.deepEqual(await login('login_etl_op_logins_fixme'), plainLogin(OPERATOR_ROLE));

      await admin.query('GRANT login_etl_analyst TO login_etl_op_logins_fixme');
      await assert.rejects(ensureOperatorLogin(admin, 'logins_fixme'), /also a member of login_etl_analyst: it may hold the grants of login_etl_operator only/);
      await admin.query('REVOKE login_etl_analyst FROM login_etl_op_logins_fixme');
      await assert.rejects(admin.query(`SELECT login_etl_ensure_login('someone', 'login_etl_analyst')`), /may only join login_etl_writer, login_etl_operator or login_etl_maintainer/);
    } finally {
      admin.release();
    }
  });

  it('where RDS IAM authentication exists (role rds_iam), the logins are members of rds_iam too', async () => {
    const admin = await db.pool.connect();
    let created = false;
    try {
      if (!(await admin.query(`SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'`)).rowCount) {
        await admin.query('CREATE ROLE rds_iam NOLOGIN');
        created = true;
      }
      await ensurePipelineLogin(admin);
      const member = await admin.query(`SELECT pg_has_role($1, 'rds_iam', 'MEMBER') AS m`, [PIPELINE_LOGIN]);
      assert.deepEqual(member.rows, [{ m: true }]);
      assert.deepEqual(await login(PIPELINE_LOGIN), plainLogin(WRITER_ROLE), 'and still nothing else');
    } finally {
      if (created) await admin.query('DROP ROLE rds_iam');
      else await admin.query(`REVOKE rds_iam FROM ${PIPELINE_LOGIN}`).catch(() => undefined);
      admin.release();
    }
  });

  it('the migration runs as the admin, the handler as the pipeline login', async () => {
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      const { database } = await etl.resources();
      const { value: who } = await database.run((c) => c.query('SELECT session_user AS s, usesuper AS super FROM pg_user WHERE usename = session_user'));
      assert.deepEqual(who.rows, [{ s: PIPELINE_LOGIN, super: false }]);
      const migrated = await db.pool.query(`SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user`);
      assert.deepEqual(migrated.rows, [{ super: true }], 'the test server gives the tests a superuser, used for migrations and assertions only');
    } finally {
      await etl.close();
    }
  });
});
