import assert from 'node:assert/strict';
import { createSecretKey, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { migrate } from '../../lambda/db/migrate.js';
import { migrations } from '../../lambda/db/migrations/index.js';
import { parseKeyring } from '../../lambda/masking/keyring.js';
import { Tokenizer } from '../../lambda/masking/tokenize.js';
import { LocalKek } from '../../lambda/vault/key-encryption-key.js';
import { seal, vaultContext } from '../../lambda/vault/seal.js';
import { VaultReader } from '../../lambda/vault/vault-reader.js';
import { unmask } from '../../tools/lib/pii/unmask.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';

/**
 * Migration 14 on a database holding data in the earlier layout (the
 * shared vault), written by login_etl_write_v2 as the code of that time
 * wrote it: live rows get their originals, a forgotten user's rows get
 * nothing back, the vault ends empty, and what code still calling v2 writes
 * during a deploy lands in its row too. unmask reads all of it back.
 */
const V2_ARGUMENTS = `$1::uuid, $2::text, $3::bytea, $4::varchar[], $5::varchar[], $6::varchar[], $7::bytea[],
  $8::bytea[], $9::varchar[], $10::varchar[], $11::text[], $12::jsonb[], $13::bytea[], $14::bytea[],
  $15::varchar[], $16::timestamptz[], $17::int[], $18::varchar[], $19::varchar[], $20::varchar[], $21::varchar[],
  $22::varchar[], $23::int[], $24::date[], $25::varchar[], $26::varchar[], $27::varchar[], $28::timestamptz[], $29::varchar[]`;

interface OldLogin {
  messageId: string;
  userId: string;
  ip: string;
  deviceId: string;
}

const logins: OldLogin[] = [
  { messageId: 'old-1', userId: 'user-live', ip: '10.0.0.1', deviceId: 'device-live' },
  { messageId: 'old-2', userId: 'user-forgotten', ip: '10.0.0.2', deviceId: 'device-forgotten' },
  { messageId: 'old-3', userId: 'user-sharing', ip: '10.0.0.2', deviceId: 'device-sharing' },
];
const context = { operator: 'carol', reason: 'MIG-14 check' };

describe('migration 14 moves the vault into the login rows', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  let operator: pg.Client;
  let tokenizer: Tokenizer;
  let kek: LocalKek;

  /** One call of login_etl_write_v2 as the code before migration 14 made it: per-value seals under one data key. */
  async function writeV2(list: readonly OldLogin[]): Promise<void> {
    const id = randomUUID();
    const { plaintext, wrapped, kekId } = await kek.generateDataKey(id);
    const key = createSecretKey(plaintext);
    const vault = new Map<string, { token: string; kind: 'ip' | 'device_id'; nonce: Buffer; ciphertext: Buffer }>();
    for (const l of list) {
      for (const [kind, value] of [['ip', l.ip], ['device_id', l.deviceId]] as const) {
        const token = tokenizer.token(kind, value);
        if (!vault.has(token)) vault.set(token, { token, kind, ...seal(key, Buffer.from(value), vaultContext(kind, token)) });
      }
    }
    const v = [...vault.values()];
    const sent = '2026-11-01T10:00:00.000Z';
    await admin.query(`SELECT * FROM login_etl_write_v2(${V2_ARGUMENTS})`, [
      id, kekId, wrapped,
      v.map((e) => e.token), v.map((e) => e.kind), v.map(() => 'v1'), v.map((e) => e.nonce), v.map((e) => e.ciphertext),
      [], [], [], [], [], [], [], [], [],
      list.map((l) => l.userId), list.map(() => 'ios'), list.map((l) => tokenizer.token('ip', l.ip)),
      list.map((l) => tokenizer.token('device_id', l.deviceId)), list.map(() => 'en'), list.map(() => 1_000_000),
      list.map(() => '2026-11-01'), list.map((l) => l.messageId), list.map(() => '1.0.0'), list.map(() => 'v1'),
      list.map(() => sent),
      [],
    ]);
  }

  const show = async (userId: string) =>
    unmask(operator, { subject: { kind: 'user', userId }, context }, { reader: new VaultReader(kek) });

  before(async () => {
    db = await createTestDatabase('sealed_move', { migrate: false });
    const env = testEnv(db.adminUrl);
    tokenizer = new Tokenizer(parseKeyring(env.MASKING_KEYS ?? '', 'test'));
    kek = await LocalKek.fromFile(env.VAULT_KEK_FILE ?? '');
    admin = new pg.Client({ connectionString: db.adminUrl });
    await admin.connect();
    await migrate(admin, migrations.filter((m) => m.version <= 13));
    await writeV2(logins);
    // forget as it was: the marker, and the vault entry only the forgotten user carried deleted.
    await admin.query(
      `INSERT INTO pii_unmask_audit (subject_kind, subject, reason, outcome, stated_operator)
       VALUES ('user_id', 'user-forgotten', 'DSR', 'forgotten', 'carol')`,
    );
    await admin.query('DELETE FROM pii_vault WHERE token = $1', [tokenizer.token('device_id', 'device-forgotten')]);
    const applied = await migrate(admin);
    assert.deepEqual(applied.applied.slice(0, 2), ['014_sealed_originals_inline', '015_write_v3']);
    operator = new pg.Client({ connectionString: await db.operatorUrl('carol') });
    await operator.connect();
  });
  after(async () => {
    await operator?.end();
    await admin?.end();
    await db?.drop();
  });

  it("gives every live row its own originals and a forgotten user's rows none; the vault ends empty", async () => {
    const { rows } = await admin.query<{ message_id: string; form: number | null; dek: boolean }>(
      `SELECT message_id, get_byte(pii_sealed, 0) AS form, pii_dek_id IS NOT NULL AS dek FROM user_logins ORDER BY message_id`,
    );
    assert.deepEqual(rows, [
      { message_id: 'old-1', form: 0, dek: true },
      { message_id: 'old-2', form: null, dek: false },
      { message_id: 'old-3', form: 0, dek: true },
    ]);
    assert.equal((await admin.query('SELECT 1 FROM pii_vault')).rowCount, 0);
  });

  it('unmask reads the moved originals; the forgotten user stays erased', async () => {
    assert.deepEqual((await show('user-live')).values.map((v) => [v.kind, v.value]), [['ip', '10.0.0.1'], ['device_id', 'device-live']]);
    const sharing = await show('user-sharing');
    assert.deepEqual(sharing.values.map((v) => v.value).sort(), ['10.0.0.2', 'device-sharing'], 'the shared ip, from its own row');
    assert.equal((await show('user-forgotten')).outcome, 'erased');
  });

  it('code still calling login_etl_write_v2 during the deploy writes the originals into the row, not the vault', async () => {
    await writeV2([{ messageId: 'deploy-1', userId: 'user-deploying', ip: '10.0.0.9', deviceId: 'device-deploying' }]);
    assert.equal((await admin.query('SELECT 1 FROM pii_vault')).rowCount, 0);
    const result = await show('user-deploying');
    assert.equal(result.outcome, 'ok');
    assert.deepEqual(result.values.map((v) => v.value), ['10.0.0.9', 'device-deploying']);
  });
});
