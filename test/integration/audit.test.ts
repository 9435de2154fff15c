import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { AUDIT_OUTCOMES } from '../../tools/lib/pii/audit.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** As an operator's own login: the audit trail records what the database knows, whatever the client sends. */
describe('the audit trail cannot be forged or rewritten by an operator', () => {
  let db: TestDatabase;
  let operator: pg.Client;
  const OPERATOR = 'login_etl_op_auditor';

  before(async () => {
    db = await createTestDatabase('audit');
    operator = new pg.Client({ connectionString: await db.operatorUrl('auditor') });
    await operator.connect();
  });
  after(async () => {
    await operator.end();
    await db.drop();
  });

  const serverNow = async () => (await db.pool.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]?.t ?? assert.fail();
  const refused = (sql: string, code = '42501') =>
    assert.rejects(operator.query(sql), (error: { code?: string }) => {
      assert.equal(error.code, code, `${sql}: expected ${code}, got ${error.code}`);
      return true;
    });

  it('an unmask audit row with a forged name and a past or future date is stored with the real ones', async () => {
    for (const forgedAt of ['2000-01-01T00:00:00Z', '2999-12-31T00:00:00Z']) {
      const from = await serverNow();
      const { rows } = await operator.query<{ requested_by: string; requested_at: Date; stated_operator: string }>(
        `INSERT INTO pii_unmask_audit (requested_by, requested_at, stated_operator, subject_kind, subject, reason, outcome)
         VALUES ('login_etl_admin', $1, 'mallory', 'user_id', 'u-1', 'SUP-1', 'ok')
         RETURNING requested_by, requested_at, stated_operator`,
        [forgedAt],
      );
      const to = await serverNow();
      assert.equal(rows[0]?.requested_by, OPERATOR);
      assert.equal(rows[0]?.stated_operator, 'mallory', 'what the operator states is kept, beside');
      const at = rows[0]?.requested_at.getTime() ?? 0;
      assert.ok(at >= from.getTime() && at <= to.getTime(), `requested_at ${rows[0]?.requested_at.toISOString()} is the insert's time`);
    }
  });

  it('an erasure record with a forged name and date is stored with the real ones', async () => {
    const from = await serverNow();
    const { rows } = await operator.query<{ requested_by: string; erased_at: Date }>(
      `INSERT INTO pii_erasures (token, kind, user_id, requested_by, erased_at, reason)
       VALUES ($1, 'ip', 'u-1', 'someone else', '2001-01-01', 'DSR-1') RETURNING requested_by, erased_at`,
      ['a'.repeat(64)],
    );
    assert.equal(rows[0]?.requested_by, OPERATOR);
    assert.ok((rows[0]?.erased_at.getTime() ?? 0) >= from.getTime());
  });

  it('who is the login that authenticated, not a role it switched to', async () => {
    const admin = new pg.Client({ connectionString: db.adminUrl, options: '-c role=login_etl_operator' });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ requested_by: string; adminLogin: string }>(
        `INSERT INTO pii_unmask_audit (subject_kind, subject, reason, outcome)
         VALUES ('user_id', 'u-2', 'SUP-2', 'ok') RETURNING requested_by, session_user AS "adminLogin", current_user AS role`,
      );
      assert.equal(rows[0]?.requested_by, rows[0]?.adminLogin);
      assert.notEqual(rows[0]?.requested_by, 'login_etl_operator');
    } finally {
      await admin.end();
    }
  });

  it('update, delete, truncate, disabling the stamps and choosing the id are refused (42501)', async () => {
    await refused(`UPDATE pii_unmask_audit SET requested_by = 'nobody'`);
    await refused(`UPDATE pii_unmask_audit SET reason = 'nothing to see'`);
    await refused('DELETE FROM pii_unmask_audit');
    await refused('TRUNCATE pii_unmask_audit');
    await refused(`UPDATE pii_erasures SET reason = 'x'`);
    await refused('DELETE FROM pii_erasures');
    await refused('ALTER TABLE pii_unmask_audit DISABLE TRIGGER login_etl_stamp');
    await refused('DROP TRIGGER login_etl_stamp ON pii_erasures');
    await refused(`SET session_replication_role = replica`);
    await refused(
      `INSERT INTO pii_unmask_audit (id, subject_kind, subject, reason, outcome) VALUES (1, 'user_id', 'u', 'r', 'ok')`,
    );
  });

  it('outcome, subject kind and vault kind admit only their known values (23514)', async () => {
    await refused(`INSERT INTO pii_unmask_audit (subject_kind, subject, reason, outcome) VALUES ('user_id', 'u', 'r', 'approved')`, '23514');
    await refused(`INSERT INTO pii_unmask_audit (subject_kind, subject, reason, outcome) VALUES ('email', 'u', 'r', 'ok')`, '23514');
    await refused(`INSERT INTO pii_erasures (token, kind, user_id, reason) VALUES ('b', 'email', 'u', 'r')`, '23514');
    const check = await db.pool.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'pii_unmask_audit_outcome_check'`,
    );
    const allowed = [...(check.rows[0]?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    assert.deepEqual(allowed.sort(), [...AUDIT_OUTCOMES].sort(), 'the tools and the table know the same outcomes');
  });
});
