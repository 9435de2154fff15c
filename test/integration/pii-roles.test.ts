import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { parseKeyring } from '../../lambda/masking/keyring.js';
import { tokenize } from '../../lambda/masking/tokenize.js';
import { LocalKek } from '../../lambda/vault/key-encryption-key.js';
import { VaultReader } from '../../lambda/vault/vault-reader.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { forget, userTokens } from '../../tools/lib/pii/forget.js';
import { unmask } from '../../tools/lib/pii/unmask.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { scanDatabaseForPii } from '../support/pii-scan.js';
import { sampleBodies, samplePii } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

type Role = 'login_etl_writer' | 'login_etl_analyst' | 'login_etl_operator';

/** The role as a URL option: every connection of a pool made from it runs as that role. */
function asRole(url: string, role: Role): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c role=${role}`);
  return u.toString();
}

const context = { operator: 'carol', reason: 'INC-9 roles check' };

describe('database roles and what each can see', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const clients: pg.Client[] = [];

  const connect = async (role: Role): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: asRole(db.adminUrl, role) });
    await client.connect();
    clients.push(client);
    return client;
  };
  const refused = (client: pg.Client, sql: string) =>
    assert.rejects(client.query(sql), (error: { code?: string }) => {
      assert.equal(error.code, '42501', `${sql}: expected insufficient_privilege, got ${error.code}`);
      return true;
    });

  before(async () => {
    db = await createTestDatabase('pii_roles');
    env = testEnv(db.pipelineUrl);
  });
  after(async () => {
    for (const c of clients) await c.end();
    await db.drop();
  });

  it("the pipeline's write works as login_etl_pipeline (not a superuser), redelivery included", async () => {
    const etl = new LoginEtl(loadConfig(env));
    try {
      const { database } = await etl.resources();
      const { value: who } = await database.run((c) =>
        c.query('SELECT session_user AS s, current_user AS c, rolsuper AS super FROM pg_roles WHERE rolname = session_user'),
      );
      assert.deepEqual(who.rows, [{ s: 'login_etl_pipeline', c: 'login_etl_pipeline', super: false }]);
      const event = sqsEvent(sampleBodies, { idPrefix: 'roles' });
      const first = await etl.process(event);
      assert.deepEqual(first.counts, { written: 99, duplicate: 0, quarantined: 1, failed: 0 });
      const again = await etl.process(event);
      assert.deepEqual(again.counts, { written: 0, duplicate: 100, quarantined: 0, failed: 0 });
    } finally {
      await etl.close();
    }
  });

  it("the pipeline's login can insert login rows with their sealed originals but not read them, nor touch anything else (SQLSTATE 42501)", async () => {
    const writer = new pg.Client({ connectionString: db.pipelineUrl });
    await writer.connect();
    clients.push(writer);
    assert.deepEqual((await writer.query('SELECT session_user AS u')).rows, [{ u: 'login_etl_pipeline' }]);
    await refused(writer, 'SELECT * FROM pii_vault');
    await refused(writer, 'SELECT ciphertext FROM pii_vault');
    await refused(writer, `INSERT INTO pii_vault (token, kind, key_version, dek_id, nonce, ciphertext) VALUES ('t', 'ip', 'v1', gen_random_uuid(), '\\x00', '\\x00')`);
    await refused(writer, 'SELECT pii_sealed FROM user_logins');
    await refused(writer, 'SELECT masked_ip, masked_device_id FROM user_logins');
    await refused(writer, 'SELECT wrapped_key FROM vault_data_keys');
    await refused(writer, 'SELECT body_ciphertext FROM user_logins_quarantine');
    await refused(writer, 'SELECT * FROM user_logins');
    await refused(writer, 'SELECT * FROM pii_unmask_audit');
    await refused(writer, 'DELETE FROM pii_vault');
    await refused(writer, 'SELECT user_id, locale FROM user_logins');
    await refused(writer, 'UPDATE user_logins SET locale = NULL');
    await refused(writer, 'DELETE FROM user_logins');
    await refused(writer, 'TRUNCATE user_logins');
    await refused(writer, 'DROP TABLE user_logins_quarantine');
    await refused(writer, 'ALTER TABLE pii_vault DISABLE TRIGGER ALL');
    await refused(writer, 'ALTER FUNCTION login_etl_write_v2 SECURITY DEFINER');
    await refused(writer, 'ALTER FUNCTION login_etl_write_v3 SECURITY DEFINER');
    await refused(writer, 'ALTER FUNCTION login_etl_write_v3 RESET search_path');
    await refused(writer, 'CREATE TABLE public.shadow (id int)');
    await refused(writer, `INSERT INTO pii_unmask_audit (requested_by, subject_kind, subject, reason, outcome) VALUES ('x', 'user_id', 'u', 'r', 'ok')`);
    await refused(writer, `INSERT INTO pii_erasures (token, kind, user_id, requested_by, reason) VALUES ('t', 'ip', 'u', 'x', 'r')`);
    await refused(writer, 'SET ROLE login_etl_operator');
    await refused(writer, 'CREATE ROLE sneaky LOGIN');
    await refused(writer, 'CREATE DATABASE sneaky');
    const replace = (await db.pool.query<{ def: string }>(
      `SELECT pg_get_functiondef('login_etl_write_v3'::regproc) AS def`,
    )).rows[0]?.def ?? assert.fail('no write function');
    await refused(writer, replace);
  });

  it('login_etl_analyst reads user_logins only', async () => {
    const analyst = await connect('login_etl_analyst');
    const rows = await analyst.query('SELECT count(*)::int AS n, count(DISTINCT masked_device_id)::int AS d FROM user_logins');
    assert.deepEqual(rows.rows, [{ n: 99, d: 99 }]);
    await analyst.query('SELECT message_id, reason, preview FROM user_logins_quarantine');
    await refused(analyst, 'SELECT * FROM pii_vault');
    await refused(analyst, 'SELECT pii_sealed FROM user_logins');
    await refused(analyst, 'SELECT pii_dek_id FROM user_logins');
    await refused(analyst, 'SELECT body_ciphertext FROM user_logins_quarantine');
    await refused(analyst, 'SELECT user_token FROM user_logins_quarantine');
    await refused(analyst, 'SELECT * FROM vault_data_keys');
    await refused(analyst, 'SELECT * FROM pii_unmask_audit');
    await refused(analyst, 'SELECT * FROM pii_erasures');
    // The batch write function is the writer's alone (not PUBLIC's either).
    const execute = await analyst.query<{ role: string; may: boolean }>(
      `SELECT r AS role, has_function_privilege(r, p.oid, 'EXECUTE') AS may
       FROM pg_proc p, unnest(ARRAY['login_etl_writer', 'login_etl_analyst', 'login_etl_operator']) AS r
       WHERE p.proname IN ('login_etl_write_v1', 'login_etl_write_v2', 'login_etl_write_v3') ORDER BY r, p.proname`,
    );
    assert.deepEqual(execute.rows, [
      ...Array(3).fill({ role: 'login_etl_analyst', may: false }),
      ...Array(3).fill({ role: 'login_etl_operator', may: false }),
      ...Array(3).fill({ role: 'login_etl_writer', may: true }),
    ]);
  });

  it("an operator's login can unmask and forget, and may clear a login's sealed originals unaudited, but not write the retired vault table, a login's other columns or the audit trail", async () => {
    const operator = new pg.Client({ connectionString: await db.operatorUrl() });
    await operator.connect();
    clients.push(operator);
    const reader = new VaultReader(await LocalKek.fromFile(env.VAULT_KEK_FILE ?? ''));
    const userId = (JSON.parse(sampleBodies[4] ?? '{}') as { user_id: string }).user_id;
    const shown = await unmask(operator, { subject: { kind: 'user', userId }, context }, { reader });
    assert.equal(shown.values.length, 2);
    const forgotten = await forget(operator, { userId, context, userTokens: userTokens(parseKeyring(env.MASKING_KEYS ?? '', 'test'), userId) });
    assert.deepEqual(forgotten.shredded, { ip: 1, device_id: 1 });
    await refused(operator, `UPDATE pii_vault SET key_version = 'v9'`);
    await refused(operator, `INSERT INTO pii_vault SELECT * FROM pii_vault LIMIT 1`);
    await refused(operator, 'UPDATE pii_unmask_audit SET reason = $$nothing to see$$');
    await refused(operator, 'DELETE FROM pii_unmask_audit');
    await refused(operator, 'DELETE FROM pii_erasures');
    await refused(operator, 'UPDATE user_logins SET masked_ip = NULL');
    // Not prevented (docs/pii.md): forget's column grant lets a login clear originals outside forget, with no audit row.
    const audits = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pii_unmask_audit')).rows[0]?.n;
    const before = await audits();
    await operator.query('BEGIN');
    try {
      const cleared = await operator.query('UPDATE user_logins SET pii_sealed = NULL, pii_dek_id = NULL WHERE pii_sealed IS NOT NULL');
      assert.ok((cleared.rowCount ?? 0) > 0, 'the operator cleared sealed originals');
    } finally {
      await operator.query('ROLLBACK');
    }
    assert.equal(await audits(), before, 'and no audit row says so');
  });

  it('stored tokens resist a dictionary of every sample ip without the key, and differ under another key', async () => {
    const stored = new Set(
      (await db.pool.query<{ t: string }>('SELECT masked_ip AS t FROM user_logins')).rows.map((r) => r.t),
    );
    const ips = sampleBodies.map((b) => (JSON.parse(b) as { ip?: string }).ip).filter((ip): ip is string => Boolean(ip));
    const dictionary = ips.flatMap((ip) =>
      ['sha256', 'sha1', 'md5'].flatMap((alg) => [ip, `ip\u0000${ip}`].map((x) => createHash(alg).update(x).digest('hex'))),
    );
    assert.equal(dictionary.filter((guess) => stored.has(guess)).length, 0, 'no unkeyed guess matches a stored token');
    const otherKey = randomBytes(32);
    assert.equal(ips.filter((ip) => stored.has(tokenize(otherKey, 'ip', ip))).length, 0, 'another key matches nothing');
    const ourKey = parseKeyring(env.MASKING_KEYS ?? '', 't').keys.get('v1') ?? assert.fail('no v1');
    assert.equal(ips.filter((ip) => stored.has(tokenize(ourKey, 'ip', ip))).length, 99, 'with the key, every ip is found');
  });

  it('no table holds a sample ip or device id in plain text (every text, json and bytea column)', async () => {
    assert.ok(samplePii.length >= 198);
    const counts = await db.pool.query<{ audit: string; sealed: string }>(
      'SELECT (SELECT count(*) FROM pii_unmask_audit) AS audit, (SELECT count(*) FROM user_logins WHERE pii_sealed IS NOT NULL) AS sealed',
    );
    assert.deepEqual(counts.rows, [{ audit: '2', sealed: '98' }], 'audit rows and sealed originals (all but the user forgotten above) were scanned too');
    assert.deepEqual(await scanDatabaseForPii(db.pool), []);
  });
});
