import type { EncodedWrite, LoginStore, WriteResult, WriteSet } from '../pipeline/types.js';
import { binaryArray } from './binary-array.js';
import { rowRejection } from './database-errors.js';
import type { Database } from './database.js';
import { ARRAY_PARAMETERS, WRITE_ARGUMENTS, WRITE_FUNCTION, writeValues } from './write-spec.js';

/**
 * The whole write of a batch (of a chunk, for a large batch) as one call of
 * the write function (write-spec.ts; migration 8 explains the statement it
 * runs): one round trip and one implicit transaction; a redelivered batch is
 * a no-op.
 */
const WRITE_SQL = `SELECT out_kind AS k, out_message_id AS message_id FROM ${WRITE_FUNCTION}(${WRITE_ARGUMENTS})`;

/**
 * The write set as WRITE_ARGUMENTS' values, every array in binary format.
 * pg sends a Buffer parameter as binary, so the server copies elements
 * (array_recv) instead of parsing array literals (array_in, hex-decoding
 * every bytea), and the client skips building those literals (pg's
 * arrayString, hex-encoding every bytea). The pipeline's write and replay's
 * call take the same.
 */
export function writeArguments(set: WriteSet): unknown[] {
  return writeValues(set).map((value, i) => {
    const type = ARRAY_PARAMETERS.get(i);
    return type && Array.isArray(value) ? (binaryArray(type, value) ?? value) : value;
  });
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
