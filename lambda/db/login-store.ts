import { arrayParameterTypes, binaryArray } from './binary-array.js';
import type { Database } from './database.js';
import type { EncodedWrite, LoginStore, WriteResult, WriteSet } from '../pipeline/types.js';

/**
 * The whole write of a batch (of a chunk, for a large batch) as ONE
 * statement: data key, vault entries, quarantine rows and login rows, each an
 * INSERT … SELECT FROM unnest(arrays) in a data-modifying CTE. One statement
 * is one round trip and one implicit transaction, and its text stays far
 * under the 16 KB that would pin an RDS Proxy session, whatever the size. ON CONFLICT DO NOTHING on every
 * natural key makes a redelivered batch a no-op. Vault entries go in only
 * for the login rows this statement inserted: a redelivered message of a
 * user erased since its first delivery is a duplicate row, and must not
 * bring the user's sealed originals back (see docs/pii.md). They go in in
 * token order: two batches that share values (the same ip in two sandboxes)
 * then take their row locks in the same order and wait for each other instead
 * of deadlocking (40P01), which failed whole batches once concurrency rose.
 * Login and quarantine rows keep event order (the first row Postgres rejects
 * decides how a bad batch is bisected, which matters on FIFO queues).
 * The statement returns the login message ids it did NOT insert (duplicates:
 * usually none, so the reply stays small whatever the batch size) and the
 * quarantine ids it did.
 */
export const WRITE_SQL = `
WITH data_key AS (
  INSERT INTO vault_data_keys (id, kek_id, wrapped_key)
  VALUES ($1::uuid, $2, $3::bytea)
  ON CONFLICT (id) DO NOTHING
), quarantined AS (
  INSERT INTO user_logins_quarantine
    (message_id, reason, detail, preview, body_dek_id, body_nonce, body_ciphertext,
     key_version, sent_at, receive_count)
  SELECT q.message_id, q.reason, q.detail, q.preview, $1::uuid, q.nonce, q.ciphertext,
         q.key_version, q.sent_at, q.receive_count
  FROM unnest($9::varchar[], $10::varchar[], $11::text[], $12::jsonb[], $13::bytea[], $14::bytea[],
              $15::varchar[], $16::timestamptz[], $17::int[])
       AS q(message_id, reason, detail, preview, nonce, ciphertext, key_version, sent_at, receive_count)
  ON CONFLICT (message_id) DO NOTHING
  RETURNING message_id
), written AS (
  INSERT INTO user_logins
    (user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
     message_id, app_version_text, key_version, sent_at)
  SELECT * FROM unnest($18::varchar[], $19::varchar[], $20::varchar[], $21::varchar[], $22::varchar[],
                       $23::int[], $24::date[], $25::varchar[], $26::varchar[], $27::varchar[],
                       $28::timestamptz[])
  ON CONFLICT (message_id) DO NOTHING
  RETURNING message_id, masked_ip, masked_device_id
), vault AS (
  INSERT INTO pii_vault (token, kind, key_version, dek_id, nonce, ciphertext)
  SELECT v.token, v.kind, v.key_version, $1::uuid, v.nonce, v.ciphertext
  FROM unnest($4::varchar[], $5::varchar[], $6::varchar[], $7::bytea[], $8::bytea[])
       AS v(token, kind, key_version, nonce, ciphertext)
  WHERE v.token IN (SELECT masked_ip FROM written UNION ALL SELECT masked_device_id FROM written)
  ORDER BY v.token
  ON CONFLICT (token) DO NOTHING
)
SELECT 'd' AS k, m.message_id FROM unnest($25::varchar[]) AS m(message_id)
WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.message_id = m.message_id)
UNION ALL
SELECT 'q' AS k, message_id FROM quarantined`;

/** Column arrays for WRITE_SQL, in parameter order. */
function writeParameters(set: WriteSet): unknown[] {
  const { dataKey, vault, quarantine: q, logins: l } = set;
  return [
    dataKey.id,
    dataKey.kekId,
    dataKey.wrapped,
    vault.map((v) => v.token),
    vault.map((v) => v.kind),
    vault.map((v) => v.keyVersion),
    vault.map((v) => v.nonce),
    vault.map((v) => v.ciphertext),
    q.map((r) => r.messageId),
    q.map((r) => r.reason),
    q.map((r) => r.detail),
    q.map((r) => r.preview),
    q.map((r) => r.bodyNonce),
    q.map((r) => r.bodyCiphertext),
    q.map((r) => r.keyVersion),
    q.map((r) => r.sentAt?.toISOString() ?? null),
    q.map((r) => r.receiveCount),
    l.map((r) => r.userId),
    l.map((r) => r.deviceType),
    l.map((r) => r.maskedIp),
    l.map((r) => r.maskedDeviceId),
    l.map((r) => r.locale),
    l.map((r) => r.appVersion),
    l.map((r) => r.createDate),
    l.map((r) => r.messageId),
    l.map((r) => r.appVersionText),
    l.map((r) => r.keyVersion),
    l.map((r) => r.sentAt.toISOString()),
  ];
}

/** Parameter index → element type, read from WRITE_SQL's own casts, so the two cannot drift. */
const ARRAY_PARAMETERS = arrayParameterTypes(WRITE_SQL);

/**
 * writeParameters() as sent: every array in binary format. pg sends a Buffer
 * parameter as binary, so the server copies elements (array_recv) instead of
 * parsing array literals (array_in, hex-decoding every bytea), and the client
 * skips building those literals (pg's arrayString, hex-encoding every bytea).
 */
function encodeWriteParameters(values: readonly unknown[]): unknown[] {
  return values.map((value, i) => {
    const type = ARRAY_PARAMETERS.get(i);
    return type && Array.isArray(value) ? (binaryArray(type, value) ?? value) : value;
  });
}

export class PostgresLoginStore implements LoginStore {
  constructor(readonly database: Database) {}

  encode(set: WriteSet): EncodedWrite {
    return { set, parameters: encodeWriteParameters(writeParameters(set)) };
  }

  async write({ set, parameters }: EncodedWrite): Promise<WriteResult> {
    const { value, connectMs, retried } = await this.database.run((client) =>
      client.query<{ k: 'd' | 'q'; message_id: string }>({ text: WRITE_SQL, values: parameters }),
    );
    const duplicates = new Set<string>();
    const quarantined = new Set<string>();
    for (const row of value.rows) (row.k === 'd' ? duplicates : quarantined).add(row.message_id);
    const written = new Set<string>();
    for (const { messageId } of set.logins) if (!duplicates.has(messageId)) written.add(messageId);
    return connectMs === undefined ? { written, quarantined, retried } : { written, quarantined, connectMs, retried };
  }
}
