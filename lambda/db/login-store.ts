import type { EncodedWrite, LoginStore, WriteResult, WriteSet } from '../pipeline/types.js';
import { binaryArray } from './binary-array.js';
import { LoginsNotWrittenError } from '../errors.js';
import { classifyDatabaseError, rowRejection } from './database-errors.js';
import { copyIn } from './copy-in.js';
import { copySql, copyText } from './copy-text.js';
import type { Database } from './database.js';
import { ARRAY_PARAMETERS, LOGIN_WRITE, WRITE_ARGUMENTS, WRITE_FUNCTION, writeValues } from './write-spec.js';

/**
 * The whole write of a batch (of a chunk, for a large batch) as one call of
 * the write function (write-spec.ts; migration 8 explains the statement it
 * runs): one round trip and one implicit transaction; a redelivered batch is
 * a no-op.
 */
const WRITE_SQL = `SELECT out_kind AS k, out_message_id AS message_id FROM ${WRITE_FUNCTION}(${WRITE_ARGUMENTS})`;
const COPY_LOGINS_SQL = copySql(LOGIN_WRITE);

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

/**
 * Chunks of at least this many logins take the COPY path; smaller ones (a
 * batch of 10 above all) stay one round trip through the function. What was
 * measured, and what was not: docs/performance.md.
 */
const COPY_MIN_ROWS = 100;

type Reply = { k: 'd' | 'q'; message_id: string };

const quarantinedOf = (rows: readonly Reply[]): Set<string> => new Set(rows.filter((r) => r.k === 'q').map((r) => r.message_id));

export class PostgresLoginStore implements LoginStore {
  /**
   * The data key of the login rows this store last committed. Its row is
   * stored, and maintenance deletes no data key that a kept login row names
   * (migration 20), so a COPY chunk under it with no quarantine rows needs
   * no function call first: one round trip less behind a network hop.
   */
  #keyOnFile?: string;

  constructor(
    readonly database: Database,
    /** Chunks with at least this many logins are written by COPY (Infinity: never). */
    readonly copyMinRows: number = COPY_MIN_ROWS,
  ) {}

  encode(set: WriteSet): EncodedWrite {
    if (set.logins.length >= this.copyMinRows) {
      const head = writeArguments({ dataKey: set.dataKey, logins: [], quarantine: set.quarantine });
      const payload = Buffer.from(copyText(LOGIN_WRITE, set.logins, set.dataKey), 'utf8');
      return { write: () => this.#copy(set, head, payload) };
    }
    const parameters = writeArguments(set);
    return { write: () => this.#write(set, parameters) };
  }

  /**
   * The COPY path: the write function with the chunk's data key and
   * quarantine rows only (none needed when the key is on file and the chunk
   * has no quarantine rows), then one COPY of its login rows. COPY keeps no
   * session state (no temporary table, no SET), so RDS Proxy goes on
   * multiplexing. COPY has no ON CONFLICT: a row already there (a
   * redelivery, 23505) or a row Postgres refuses fails the whole COPY, and
   * the logins are then written by the function, which skips what is there
   * and lets the pipeline isolate a refused row. The first call commits on
   * its own: once it has, its quarantine rows are settled whatever happens
   * to the logins (neither sent again nor failed with them).
   */
  async #copy(set: WriteSet, head: unknown[], payload: Buffer): Promise<WriteResult> {
    const needsHead = set.quarantine.length > 0 || this.#keyOnFile !== set.dataKey.id;
    let quarantined: Set<string> | undefined;
    const logins: WriteSet = { dataKey: set.dataKey, logins: set.logins, quarantine: [] };
    const notWritten = (error: unknown): never => {
      const reason = rowRejection(error) ?? error;
      throw quarantined === undefined ? reason : new LoginsNotWrittenError(quarantined, reason);
    };
    const run = await this.database
      .run(async (client) => {
        // A retry on another connection after the first call committed sends only the COPY.
        if (needsHead) quarantined ??= quarantinedOf((await client.query<Reply>({ text: WRITE_SQL, values: head })).rows);
        try {
          await copyIn(client, COPY_LOGINS_SQL, payload);
          this.#keyOnFile = set.dataKey.id;
          return true;
        } catch (error) {
          if (classifyDatabaseError(error) !== 'row') throw error;
          return false;
        }
      })
      .catch(notWritten);
    const settled = quarantined ?? new Set<string>();
    if (!run.value) {
      const rest = await this.#write(logins, writeArguments(logins)).catch(notWritten);
      return { ...rest, quarantined: settled, retried: rest.retried || run.retried };
    }
    const written = new Set(set.logins.map((l) => l.messageId));
    return run.connectMs === undefined
      ? { written, quarantined: settled, retried: run.retried }
      : { written, quarantined: settled, connectMs: run.connectMs, retried: run.retried };
  }

  async #write(set: WriteSet, parameters: unknown[]): Promise<WriteResult> {
    const { value, connectMs, retried } = await this.database
      .run((client) => client.query<Reply>({ text: WRITE_SQL, values: parameters }))
      .catch((error: unknown) => {
        throw rowRejection(error) ?? error;
      });
    const duplicates = new Set<string>();
    const quarantined = new Set<string>();
    for (const row of value.rows) (row.k === 'd' ? duplicates : quarantined).add(row.message_id);
    const written = new Set<string>();
    for (const { messageId } of set.logins) if (!duplicates.has(messageId)) written.add(messageId);
    if (written.size > 0) this.#keyOnFile = set.dataKey.id;
    return connectMs === undefined ? { written, quarantined, retried } : { written, quarantined, connectMs, retried };
  }
}
