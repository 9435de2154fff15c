import { DatabaseError } from 'pg';
import { RowRejectedError } from '../errors.js';

/**
 * What a Postgres error means, decided here and nowhere else. The server's
 * own answers reach us as pg's DatabaseError, which carries a SQLSTATE;
 * anything else (a refused or reset socket, a client-side timeout, a client
 * pg gave up on) means no answer to the statement came back.
 */
export type DatabaseErrorKind =
  /**
   * The server refused the data of a row: SQLSTATE class 22 (data
   * exception: a NUL byte, a value too long) or 23 (integrity constraint,
   * other than the message_id conflict ON CONFLICT absorbs). That row fails
   * the same way forever; the others may be written without it.
   */
  | 'row'
  /**
   * The server refused the statement for a reason no row causes (40
   * serialization or deadlock, 53 resources, 57014 statement timeout, 55P03
   * lock timeout, 42 schema drift after a bad deploy, 28 authentication):
   * the session is still in step, and the same work may succeed later.
   */
  | 'statement'
  /**
   * The session is gone: class 08, the server ended it (57P01 admin
   * shutdown after pg_terminate_backend, 57P02/57P03 crash or startup,
   * 57P05 idle session and 25P03 idle-in-transaction timeouts), or the
   * socket closed or reset under it. The work may go again on another
   * connection.
   */
  | 'connection-lost'
  /** No answer from the server at all: refused, timed out, or a failure in the client. */
  | 'no-answer';

const SESSION_ENDED = new Set(['57P01', '57P02', '57P03', '57P05', '25P03']);
const SOCKET_LOST = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
/** How pg words a connection that died under it (it sets no code). */
const CONNECTION_LOST_MESSAGE = /Connection terminated|Client has encountered a connection error|not queryable|ECONNRESET/i;

export function databaseErrorKind(error: unknown): DatabaseErrorKind {
  if (error instanceof DatabaseError && typeof error.code === 'string') {
    const code = error.code;
    if (code.startsWith('08') || SESSION_ENDED.has(code)) return 'connection-lost';
    return code.startsWith('22') || code.startsWith('23') ? 'row' : 'statement';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SOCKET_LOST.has(code)) return 'connection-lost';
  if (error instanceof Error && CONNECTION_LOST_MESSAGE.test(error.message)) return 'connection-lost';
  return 'no-answer';
}

/**
 * The pipeline's question: is the row to blame (quarantine it), or the
 * environment (the record goes back to the queue)? Only a row's data is
 * the row's fault: quarantining rows for a failure that would fail any row
 * would lose good data.
 */
export function classifyDatabaseError(error: unknown): 'row' | 'transient' {
  return databaseErrorKind(error) === 'row' ? 'row' : 'transient';
}

/** The connection's question: did this connection die (so the work may go again on another)? */
export function isDeadConnectionError(error: unknown): boolean {
  return databaseErrorKind(error) === 'connection-lost';
}

/**
 * The SQLSTATE of a statement the server refused on a session still in step
 * (kinds row and statement); undefined when the connection was lost or no
 * answer came. A refusal is an answer: the server is reachable, and the
 * connection may be reused.
 */
export function refusedSqlState(error: unknown): string | undefined {
  const kind = databaseErrorKind(error);
  return kind === 'row' || kind === 'statement' ? (error as DatabaseError).code : undefined;
}

/**
 * The pipeline's error for a row the server refused, undefined for any other
 * error. Its detail, stored in the quarantine row, is the SQLSTATE and its
 * class's name; never the server's message: "invalid input syntax for type
 * …: \"…\"" and its kin quote the value, and the detail is an analyst's column.
 */
export function rowRejection(error: unknown): RowRejectedError | undefined {
  if (classifyDatabaseError(error) !== 'row') return undefined;
  const sqlState = (error as DatabaseError).code as string;
  const kind = sqlState.startsWith('22') ? 'a data exception' : 'an integrity constraint';
  return new RowRejectedError(sqlState, `SQLSTATE ${sqlState}: the database refused the row (${kind})`, { cause: error });
}
