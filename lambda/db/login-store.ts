import type { EncodedWrite, LoginStore, WriteResult, WriteSet } from '../pipeline/types.js';
import { arrayParameterTypes, binaryArray } from './binary-array.js';
import { rowRejection } from './database-errors.js';
import type { Database } from './database.js';

/**
 * The write's 29 parameters with their casts, as every call of a function
 * taking the write's arguments spells them: the batch write, and replay's
 * login_etl_replay_v1 (migration 13). The casts give every parameter's type,
 * so what encode() sends in binary fits either call.
 */
export const WRITE_ARGUMENTS = `
  $1::uuid, $2::text, $3::bytea, $4::varchar[], $5::varchar[], $6::varchar[],
  $7::bytea[], $8::bytea[], $9::varchar[], $10::varchar[], $11::text[], $12::jsonb[],
  $13::bytea[], $14::bytea[], $15::varchar[], $16::timestamptz[], $17::int[], $18::varchar[],
  $19::varchar[], $20::varchar[], $21::varchar[], $22::varchar[], $23::int[], $24::date[],
  $25::varchar[], $26::varchar[], $27::varchar[], $28::timestamptz[], $29::varchar[]`;

/**
 * The whole write of a batch (of a chunk, for a large batch) as one call of
 * login_etl_write_v3p (migration 21: login_etl_write_v2 of migration 11, keyed
 * on (message_id, create_date); migration 8 explains the statement it runs):
 * one round trip and one implicit transaction; a redelivered batch is a no-op.
 * The binary encoding of the arrays reads their types from its casts.
 */
export const WRITE_SQL = `SELECT out_kind AS k, out_message_id AS message_id FROM login_etl_write_v3p(${WRITE_ARGUMENTS})`;

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
    q.map((r) => r.userToken),
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

/** A write set as WRITE_ARGUMENTS' values, encoded as sent: the pipeline's write and replay's call take the same. */
export function writeArguments(set: WriteSet): unknown[] {
  return encodeWriteParameters(writeParameters(set));
}

export class PostgresLoginStore implements LoginStore {
  constructor(readonly database: Database) {}

  encode(set: WriteSet): EncodedWrite {
    const parameters = writeArguments(set);
    return { write: () => this.#write(set, parameters) };
  }

  async #write(set: WriteSet, parameters: unknown[]): Promise<WriteResult> {
    const { value, connectMs, retried } = await this.database
      .run((client) => client.query<{ k: 'd' | 'q'; message_id: string }>({ text: WRITE_SQL, values: parameters }))
      .catch((error: unknown) => {
        throw rowRejection(error) ?? error;
      });
    const duplicates = new Set<string>();
    const quarantined = new Set<string>();
    for (const row of value.rows) (row.k === 'd' ? duplicates : quarantined).add(row.message_id);
    const written = new Set<string>();
    for (const { messageId } of set.logins) if (!duplicates.has(messageId)) written.add(messageId);
    return connectMs === undefined ? { written, quarantined, retried } : { written, quarantined, connectMs, retried };
  }
}
