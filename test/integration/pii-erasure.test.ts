import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { parseKeyring } from '../../lambda/masking/keyring.js';
import { LocalKek } from '../../lambda/vault/key-encryption-key.js';
import { VaultReader } from '../../lambda/vault/vault-reader.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { forget, userTokens } from '../../tools/lib/pii/forget.js';
import { unmask } from '../../tools/lib/pii/unmask.js';
import type { UnmaskSubject } from '../../tools/lib/pii/subject.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { scanDatabaseForPii } from '../support/pii-scan.js';
import { sampleLogins, type SampleLogin } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

type Login = SampleLogin;
const s = sampleLogins;
const sample = (i: number): Login => s[i] ?? assert.fail(`no sample ${i}`);
const login = (user: string, from: Login, overrides: Partial<Login> = {}) => JSON.stringify({ ...from, user_id: user, ...overrides });

// A and B share an ip (sample 0's); each has a device of their own.
const SHARED_IP = sample(0).ip;
const bodies = [
  login('user-a', sample(0)),
  login('user-b', sample(1), { ip: SHARED_IP }),
  login('user-c', sample(2)),
];
const context = { operator: 'bob', reason: 'DSR-77 erasure request' };

describe('forget: erasure by crypto-shredding', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let etl: LoginEtl;
  let client: pg.Client;
  let reader: VaultReader;

  const show = (subject: UnmaskSubject) => unmask(client, { subject, context }, { reader });
  const request = (userId: string) => ({ userId, context, userTokens: userTokens(parseKeyring(env.MASKING_KEYS ?? '', 'test'), userId) });
  const rowOf = async (userId: string) =>
    (await db.pool.query<{ masked_ip: string; masked_device_id: string }>(
      'SELECT masked_ip, masked_device_id FROM user_logins WHERE user_id = $1 ORDER BY ingested_at LIMIT 1', [userId],
    )).rows[0] ?? assert.fail(`no row for ${userId}`);
  const ingest = async (list: string[], idPrefix: string, sentTimestamp?: number) =>
    etl.process(sqsEvent(list, { idPrefix, ...(sentTimestamp === undefined ? {} : { sentTimestamp }) }));

  before(async () => {
    db = await createTestDatabase('pii_erasure');
    env = testEnv(db.pipelineUrl);
    etl = new LoginEtl(loadConfig(env));
    assert.equal((await ingest(bodies, 'erasure')).counts.written, 3);
    client = new pg.Client({ connectionString: await db.operatorUrl() });
    await client.connect();
    reader = new VaultReader(await LocalKek.fromFile(env.VAULT_KEK_FILE ?? ''));
  });
  after(async () => {
    reader.close();
    await etl.close();
    await client.end();
    await db.drop();
  });

  it('forgets a user: own values unrecoverable, the shared ip still recoverable for the other user', async () => {
    const a = await rowOf('user-a');
    const result = await forget(client, request('user-a'));
    assert.deepEqual(
      { rows: result.loginRows, shredded: result.shredded, kept: result.keptShared, gone: result.alreadyGone },
      { rows: 1, shredded: { ip: 0, device_id: 1 }, kept: 1, gone: 0 },
    );

    const userA = await show({ kind: 'user', userId: 'user-a' });
    assert.equal(userA.outcome, 'erased');
    assert.deepEqual(userA.values, []);
    assert.deepEqual(userA.erasedAt, result.erasedAt);
    assert.equal((await show({ kind: 'device_id', token: a.masked_device_id })).outcome, 'erased');

    const userB = await show({ kind: 'user', userId: 'user-b' });
    assert.equal(userB.outcome, 'ok');
    assert.deepEqual(userB.values.map((v) => v.value), [SHARED_IP, sample(1).device_id]);
    const sharedIp = await show({ kind: 'ip', token: a.masked_ip });
    assert.deepEqual(sharedIp.values.map((v) => [v.value, v.rows]), [[SHARED_IP, 1]], "only B's row counts as live");

    const kept = await db.pool.query('SELECT masked_ip, masked_device_id FROM user_logins WHERE user_id = $1', ['user-a']);
    assert.deepEqual(kept.rows, [a], 'the masked row stays for analytics');
    const erasures = await db.pool.query('SELECT token, kind, user_id, requested_by, stated_operator, reason FROM pii_erasures');
    assert.deepEqual(erasures.rows, [
      { token: a.masked_device_id, kind: 'device_id', user_id: 'user-a', requested_by: 'login_etl_op_tester', stated_operator: 'bob', reason: context.reason },
    ]);
    const audit = await db.pool.query(`SELECT subject, outcome FROM pii_unmask_audit WHERE outcome = 'forgotten'`);
    assert.deepEqual(audit.rows, [{ subject: 'user-a', outcome: 'forgotten' }]);
  });

  it('once every user of a shared value is forgotten, the value goes too', async () => {
    const b = await rowOf('user-b');
    const result = await forget(client, request('user-b'));
    assert.deepEqual(result.shredded, { ip: 1, device_id: 1 });
    assert.equal(result.keptShared, 0);
    assert.equal((await show({ kind: 'ip', token: b.masked_ip })).outcome, 'erased');
    assert.equal((await show({ kind: 'user', userId: 'user-b' })).outcome, 'erased');
    assert.equal((await show({ kind: 'user', userId: 'user-c' })).outcome, 'ok', 'other users are untouched');
    const again = await forget(client, request('user-b'));
    assert.deepEqual([again.shredded, again.alreadyGone], [{ ip: 0, device_id: 0 }, 2], 'forgetting twice is harmless');
  });

  it('logins sent after the erasure are new data; one sent before it stays erased however late it lands', async () => {
    const late = await ingest([login('user-a', sample(9))], 'erasure-late', Date.now() - 60_000);
    assert.equal(late.counts.written, 1, 'a message that waited in the queue (or the DLQ) during the erasure');
    assert.equal((await show({ kind: 'user', userId: 'user-a' })).outcome, 'erased');
    const sweep = await forget(client, request('user-a'));
    assert.deepEqual(sweep.shredded, { ip: 1, device_id: 1 }, 'forgetting again shreds what landed late');
    assert.equal((await ingest([login('user-a', sample(5))], 'erasure-later', Date.now() + 1_000)).counts.written, 1);
    const userA = await show({ kind: 'user', userId: 'user-a' });
    assert.equal(userA.outcome, 'ok');
    assert.deepEqual(userA.values.map((v) => v.value), [sample(5).ip, sample(5).device_id]);
    assert.equal(userA.erasedRows, 2, 'the earlier rows stay erased');
  });

  it('shreds the sealed bodies of quarantined messages naming the user, and says so when the role may not', async () => {
    const bad = login('user-q', sample(6), { ip: 'not-an-address' });
    const result = await ingest([login('user-q', sample(7)), bad], 'erasure-quarantine');
    assert.deepEqual([result.counts.written, result.counts.quarantined], [1, 1]);

    const grant = `UPDATE (body_dek_id, body_nonce, body_ciphertext) ON user_logins_quarantine`;
    const operator = new pg.Client({ connectionString: await db.operatorUrl() });
    await operator.connect();
    try {
      // Without migration 005's grant, forget still shreds the vault and says what it could not do.
      await db.pool.query(`REVOKE ${grant} FROM login_etl_operator`);
      const limited = await forget(operator, request('user-q'));
      assert.deepEqual(limited.shredded, { ip: 1, device_id: 1 }, 'the operator role may shred the vault');
      assert.deepEqual(limited.quarantine, { sealed: 1, shredded: 0, notPermitted: true });
      await db.pool.query(`GRANT ${grant} TO login_etl_operator`);
      const full = await forget(operator, request('user-q'));
      assert.deepEqual(full.quarantine, { sealed: 1, shredded: 1, notPermitted: false });
    } finally {
      await operator.end();
    }
    const q = await db.pool.query(
      `SELECT reason, preview->'fields'->>'user_id' AS user_id, body_ciphertext, body_nonce, body_dek_id FROM user_logins_quarantine`,
    );
    assert.deepEqual(q.rows, [{ reason: 'schema_violation', user_id: 'user-q', body_ciphertext: null, body_nonce: null, body_dek_id: null }]);
  });

  it('shreds the bodies of a login Postgres refused and of a message whose user_id no preview can hold', async () => {
    const longId = `u-${'x'.repeat(198)}`; // longer than any login's user_id: a schema violation
    await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT refuse_user_r CHECK (user_id <> 'user-r')`);
    let ids: string[];
    try {
      const event = sqsEvent([login('user-r', sample(10)), login(longId, sample(11))], { idPrefix: 'erasure-unattributed' });
      ids = event.Records.map((r) => r.messageId);
      const result = await etl.process(event);
      assert.equal(result.counts.quarantined, 2);
    } finally {
      await db.pool.query('ALTER TABLE user_logins DROP CONSTRAINT refuse_user_r');
    }
    const bodies = async () =>
      (await db.pool.query<{ reason: string; shown: string; sealed: boolean }>(
        `SELECT reason, preview->'fields'->>'user_id' AS shown, body_ciphertext IS NOT NULL AS sealed
         FROM user_logins_quarantine WHERE message_id = ANY($1) ORDER BY reason`,
        [ids],
      )).rows;
    assert.deepEqual(await bodies(), [
      { reason: 'rejected_by_database', shown: 'user-r', sealed: true },
      { reason: 'schema_violation', shown: '<string>', sealed: true },
    ]);
    assert.deepEqual((await forget(client, request('user-r'))).quarantine, { sealed: 1, shredded: 1, notPermitted: false });
    assert.deepEqual((await forget(client, request(longId))).quarantine, { sealed: 1, shredded: 1, notPermitted: false });
    assert.deepEqual((await bodies()).map((b) => b.sealed), [false, false]);
  });

  it('does not wait for a batch in flight that shares a value: each row holds its own originals', async () => {
    assert.equal((await ingest([login('user-e', sample(8))], 'erasure-race')).counts.written, 1);
    const e = await rowOf('user-e');
    // The pipeline's login, mid-statement: F's row with E's ip, not yet committed.
    const writer = new pg.Client({ connectionString: db.pipelineUrl });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO user_logins (user_id, masked_ip, masked_device_id, message_id, key_version, sent_at, create_date, pii_dek_id, pii_sealed)
         VALUES ('user-f', $1, $2, 'race-f', 'v1', now(), current_date, gen_random_uuid(), '\\x01')`,
        [e.masked_ip, 'f'.repeat(64)],
      );
      const result = await forget(client, request('user-e'));
      assert.equal(result.clearedRows, 1, "forget cleared E's row without waiting for the open batch");
      await writer.query('COMMIT');
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      await writer.end();
    }
    const f = await db.pool.query<{ held: boolean }>(`SELECT pii_sealed IS NOT NULL AS held FROM user_logins WHERE message_id = 'race-f'`);
    assert.deepEqual(f.rows, [{ held: true }], "the batch's row keeps its own sealed originals");
    const gone = await db.pool.query(`SELECT 1 FROM user_logins WHERE user_id = 'user-e' AND pii_sealed IS NOT NULL`);
    assert.equal(gone.rowCount, 0, "none of E's originals are left");
  });

  it('gives up cleanly when the vault stays locked, changing nothing', async () => {
    const holder = new pg.Client({ connectionString: db.adminUrl });
    await holder.connect();
    const before = await db.pool.query('SELECT count(*) AS n FROM pii_unmask_audit');
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE pii_vault IN ROW EXCLUSIVE MODE');
      await assert.rejects(forget(client, request('user-c'), { lockTimeoutMs: 200 }), { code: '55P03' });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    assert.deepEqual((await db.pool.query('SELECT count(*) AS n FROM pii_unmask_audit')).rows, before.rows);
    assert.equal((await show({ kind: 'user', userId: 'user-c' })).outcome, 'ok');
  });

  it('leaves no plain ip or device id in any table', async () => {
    assert.deepEqual(await scanDatabaseForPii(db.pool), []);
  });

  it(
    'a message redelivered after the erasure does not bring the original back',
    async () => {
      const c = await rowOf('user-c');
      await forget(client, request('user-c'));
      const redelivered = await ingest([bodies[2] ?? ''], 'erasure'); // same message id as the first delivery
      assert.equal(redelivered.counts.duplicate, 1);
      assert.equal((await show({ kind: 'user', userId: 'user-c' })).outcome, 'erased', 'unmask still refuses');
      const sealed = await db.pool.query(`SELECT 1 FROM user_logins WHERE user_id = 'user-c' AND pii_sealed IS NOT NULL`);
      assert.equal(sealed.rowCount, 0, 'the sealed originals stay cleared');
      assert.equal(c.masked_ip.length, 64);
    },
  );
});
