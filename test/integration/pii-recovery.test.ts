import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { parseKeyring } from '../../lambda/masking/keyring.js';
import { canonicalIp } from '../../lambda/record/ip-address.js';
import { KekError, LocalKek } from '../../lambda/vault/key-encryption-key.js';
import { VaultAuthenticationError } from '../../lambda/vault/seal.js';
import { VaultReader } from '../../lambda/vault/vault-reader.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { unmask, VaultIntegrityError, type UnmaskResult } from '../../tools/lib/pii/unmask.js';
import type { UnmaskSubject } from '../../tools/lib/pii/subject.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { kekFile, keyringJson, testEnv } from '../support/keys.js';
import { sampleBodies, sampleLogins, type SampleLogin } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const samples = sampleLogins;
const context = { operator: 'alice', reason: 'SUP-1234 account takeover review' };

describe('unmask: recovery of the originals', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let client: pg.Client;
  let reader: VaultReader;

  const run = (subject: UnmaskSubject, options: { reader?: VaultReader; keyring?: boolean } = {}): Promise<UnmaskResult> =>
    unmask(
      client,
      { subject, context },
      { reader: options.reader ?? reader, ...(options.keyring === false ? {} : { keyring: parseKeyring(env.MASKING_KEYS ?? '', 't') }) },
    );
  const auditRows = async () =>
    (await db.pool.query<{ requested_by: string; stated_operator: string; subject_kind: string; subject: string; reason: string; outcome: string; values_returned: number }>(
      'SELECT requested_by, stated_operator, subject_kind, subject, reason, outcome, values_returned FROM pii_unmask_audit ORDER BY id',
    )).rows;
  const tokensOf = async (userId: string) =>
    (await db.pool.query<{ masked_ip: string; masked_device_id: string }>(
      'SELECT masked_ip, masked_device_id FROM user_logins WHERE user_id = $1', [userId],
    )).rows[0] ?? assert.fail(`no row for ${userId}`);

  before(async () => {
    db = await createTestDatabase('pii_recovery');
    env = testEnv(db.pipelineUrl);
    const etl = new LoginEtl(loadConfig(env));
    try {
      const result = await etl.process(sqsEvent(sampleBodies, { idPrefix: 'recovery' }));
      assert.equal(result.counts.written, 99);
    } finally {
      await etl.close();
    }
    client = new pg.Client({ connectionString: await db.operatorUrl() });
    await client.connect();
    reader = new VaultReader(await LocalKek.fromFile(env.VAULT_KEK_FILE ?? ''));
  });
  after(async () => {
    reader.close();
    await client.end();
    await db.drop();
  });

  it('stores every login the pipeline wrote as one row seal (form 2), with no original in it', async () => {
    const { rows } = await db.pool.query<{ form: number; sealed: Buffer }>('SELECT get_byte(pii_sealed, 0) AS form, pii_sealed AS sealed FROM user_logins');
    assert.equal(rows.length, 99);
    assert.deepEqual([...new Set(rows.map((r) => r.form))], [2]);
    for (const s of samples) {
      for (const value of [s.ip, s.device_id]) assert.equal(rows.some((r) => r.sealed.includes(Buffer.from(value))), false, 'an original in pii_sealed');
    }
  });

  it('returns the original ip and device id of every sample message, and audits each request', async () => {
    await db.pool.query('TRUNCATE pii_unmask_audit');
    for (const s of samples) {
      const result = await run({ kind: 'user', userId: s.user_id });
      assert.equal(result.outcome, 'ok');
      assert.deepEqual(
        result.values.map((v) => [v.kind, v.value, v.rows]),
        [['ip', canonicalIp(s.ip), 1], ['device_id', s.device_id, 1]],
        s.user_id,
      );
    }
    const audit = await auditRows();
    assert.equal(audit.length, samples.length, 'one audit row per request');
    assert.deepEqual(audit[0], {
      requested_by: 'login_etl_op_tester',
      stated_operator: 'alice',
      subject_kind: 'user_id',
      subject: samples[0]?.user_id,
      reason: context.reason,
      outcome: 'ok',
      values_returned: 2,
    });
  });

  it('opens a single token of either kind, as another operator login', async () => {
    const s = samples[7] as SampleLogin;
    const { masked_ip, masked_device_id } = await tokensOf(s.user_id);
    const operator = new pg.Client({ connectionString: await db.operatorUrl('tester2') });
    await operator.connect();
    try {
      const ip = await unmask(operator, { subject: { kind: 'ip', token: masked_ip }, context }, { reader });
      assert.deepEqual(ip.values.map((v) => v.value), [s.ip]);
      const device = await unmask(operator, { subject: { kind: 'device_id', token: masked_device_id }, context }, { reader });
      assert.deepEqual(device.values.map((v) => v.value), [s.device_id]);
      // A token of the other kind is not that kind's value.
      const crossed = await unmask(operator, { subject: { kind: 'ip', token: masked_device_id }, context }, { reader });
      assert.equal(crossed.outcome, 'not_found');
    } finally {
      await operator.end();
    }
  });

  it('audits "not found" too', async () => {
    const result = await run({ kind: 'ip', token: '0'.repeat(64) });
    assert.equal(result.outcome, 'not_found');
    const none = await run({ kind: 'user', userId: 'no-such-user' });
    assert.equal(none.outcome, 'not_found');
    const audit = (await auditRows()).slice(-2);
    assert.deepEqual(audit.map((a) => [a.subject_kind, a.outcome, a.values_returned]), [
      ['masked_ip', 'not_found', 0],
      ['user_id', 'not_found', 0],
    ]);
  });

  it('a wrong or missing KEK is a clear error, returns nothing, and is audited', async () => {
    const s = samples[3] as SampleLogin;
    const otherKek = new VaultReader(await LocalKek.fromFile(kekFile()));
    await assert.rejects(run({ kind: 'user', userId: s.user_id }, { reader: otherKek }), (error: unknown) => {
      assert.ok(error instanceof KekError);
      assert.match(error.message, /was wrapped by local-[0-9a-f]+, but the configured key is local-[0-9a-f]+/);
      return true;
    });
    // Same id, other key material: the data key fails authentication.
    const { id } = JSON.parse(readFileSync(env.VAULT_KEK_FILE ?? '', 'utf8')) as { id: string };
    const impostorFile = kekFile();
    writeFileSync(impostorFile, LocalKek.generateFileContent(id));
    const impostor = new VaultReader(await LocalKek.fromFile(impostorFile));
    await assert.rejects(run({ kind: 'user', userId: s.user_id }, { reader: impostor }), VaultAuthenticationError);

    const audit = (await auditRows()).slice(-2);
    assert.deepEqual(audit.map((a) => [a.outcome, a.values_returned]), [
      ['authentication_failed', 0],
      ['authentication_failed', 0],
    ]);
    await assert.rejects(LocalKek.fromFile('/nonexistent/vault-kek.json'), /VAULT_KEK_FILE \/nonexistent\/vault-kek.json does not exist/);
  });

  it('a tampered ciphertext, a swapped entry or a wrong masking key fails authentication, never yields garbage', async () => {
    const a = await tokensOf((samples[10] as SampleLogin).user_id);
    const b = await tokensOf((samples[11] as SampleLogin).user_id);
    const original = await db.pool.query<{ message_id: string; pii_sealed: Buffer; pii_dek_id: string }>(
      'SELECT message_id, pii_sealed, pii_dek_id FROM user_logins WHERE masked_ip = $1', [a.masked_ip],
    );
    assert.ok(original.rows.length > 0, 'a row with sealed originals');
    try {
      await db.pool.query(`UPDATE user_logins SET pii_sealed = set_byte(pii_sealed, 20, get_byte(pii_sealed, 20) # 1) WHERE masked_ip = $1`, [a.masked_ip]);
      await assert.rejects(run({ kind: 'ip', token: a.masked_ip }), VaultAuthenticationError);
      // b's sealed originals copied into a's rows: their context (b's message id) no longer matches.
      await db.pool.query(
        `UPDATE user_logins SET (pii_sealed, pii_dek_id) = (SELECT pii_sealed, pii_dek_id FROM user_logins WHERE masked_ip = $2 LIMIT 1)
         WHERE masked_ip = $1`,
        [a.masked_ip, b.masked_ip],
      );
      await assert.rejects(run({ kind: 'ip', token: a.masked_ip }), VaultAuthenticationError);
    } finally {
      for (const row of original.rows) {
        await db.pool.query('UPDATE user_logins SET pii_sealed = $2, pii_dek_id = $3 WHERE message_id = $1', [
          row.message_id,
          row.pii_sealed,
          row.pii_dek_id,
        ]);
      }
    }
    assert.equal((await run({ kind: 'ip', token: a.masked_ip })).outcome, 'ok');

    // With the masking keyring of another deployment the value opens but does not match its token.
    const wrongKeyring = parseKeyring(keyringJson(), 't');
    await assert.rejects(
      unmask(client, { subject: { kind: 'ip', token: a.masked_ip }, context }, { reader, keyring: wrongKeyring }),
      VaultIntegrityError,
    );
  });

  it('refuses to run for a role that may not read the vault, with a real permission error', async () => {
    const analyst = new pg.Client({ connectionString: db.adminUrl, options: '-c role=login_etl_analyst' });
    await analyst.connect();
    try {
      const token = (await tokensOf((samples[0] as SampleLogin).user_id)).masked_ip;
      await assert.rejects(unmask(analyst, { subject: { kind: 'ip', token }, context }, { reader }), { code: '42501' });
    } finally {
      await analyst.end();
    }
  });
});
