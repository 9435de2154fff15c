/**
 * The two kinds of failure login-etl knows, decided in one place
 * (`classifyDatabaseError`): a *permanent* failure belongs to one record and
 * will fail the same way forever, so the record is quarantined; a *transient*
 * failure belongs to the environment (network, database, timeouts), so the
 * record goes back to the queue.
 */
export const QuarantineReason = {
  InvalidJson: 'invalid_json',
  NotAnObject: 'not_an_object',
  SchemaViolation: 'schema_violation',
  RejectedByDatabase: 'rejected_by_database',
} as const;
export type QuarantineReason = (typeof QuarantineReason)[keyof typeof QuarantineReason];

/** A record that can never be written as it is. */
export class PermanentRecordError extends Error {
  override readonly name = 'PermanentRecordError';
  constructor(
    readonly reason: QuarantineReason,
    /** Human detail; never contains field values, only paths and rules. */
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

/** The environment failed; retrying later may succeed. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Thrown by the handler when no record of the batch could be processed. */
export class FullBatchFailureError extends Error {
  override readonly name = 'FullBatchFailureError';
  constructor(readonly recordCount: number, options?: { cause?: unknown }) {
    super(`all ${recordCount} records of the batch failed transiently`, options);
  }
}

export type DatabaseErrorKind =
  /** The statement failed because of the data of (at least) one row. */
  | 'row'
  /** Connection, server state, timeouts, locks, schema drift: retry later. */
  | 'transient';

interface PgLikeError {
  code?: unknown;
}

/**
 * SQLSTATE classes that point at row content: 22 (data exception, e.g. a NUL
 * byte or a value too long) and 23 (integrity constraint, other than the
 * message_id conflict we absorb with ON CONFLICT). Everything else — class 08
 * connection, 40 serialization/deadlock, 53 resources, 57 operator
 * intervention/timeouts, 42 undefined table after a bad deploy, and errors
 * without a SQLSTATE such as socket resets — is transient: it would fail any
 * row, so quarantining rows for it would lose good data.
 */
export function classifyDatabaseError(error: unknown): DatabaseErrorKind {
  const code = (error as PgLikeError | null)?.code;
  if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return 'row';
  return 'transient';
}

/**
 * The detail stored for a row Postgres refused: its SQLSTATE and the class's
 * name. Never the server's message: "invalid input syntax for type …: \"…\""
 * and its kin quote the value, and the detail is an analyst's column.
 */
export function rejectedRowDetail(error: unknown): string {
  const code = (error as PgLikeError | null)?.code;
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : 'unknown';
  const kind = sqlState.startsWith('22') ? 'a data exception' : sqlState.startsWith('23') ? 'an integrity constraint' : 'an error';
  return `SQLSTATE ${sqlState}: the database refused the row (${kind})`;
}

/** A short, PII-free description of an error for logs and CLI output. */
export function describeError(error: unknown): { type: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as PgLikeError).code;
    return {
      type: error.name,
      // Postgres "detail" can quote row values; the message itself does not.
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { type: typeof error, message: String(error) };
}
