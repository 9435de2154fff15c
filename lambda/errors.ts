/**
 * The failures login-etl tells apart. A *permanent* failure belongs to one
 * record and will fail the same way forever, so the record is quarantined
 * with its reason: parsing and validation decide it for a body
 * (PermanentRecordError), lambda/db/database-errors.ts for a row Postgres
 * refused. Every other failure is *transient*: it belongs to the environment
 * (network, database, timeouts, keys), so the record goes back to the queue.
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

/**
 * The database refused a row of a write for its content (what that means is
 * decided in db/database-errors.ts): that row, whichever it is, fails the
 * same way forever. The message names the SQLSTATE, never the server's
 * text, which may quote the value.
 */
export class RowRejectedError extends Error {
  override readonly name = 'RowRejectedError';
  constructor(
    /** The SQLSTATE. */
    readonly code: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(detail, options);
  }
}

/**
 * A write whose quarantine rows (and data key) committed before its logins
 * failed: those quarantine rows are settled, `quarantined` naming the ones
 * it inserted; the logins failed with `reason`, a RowRejectedError or the
 * environment's error, and none of them is written.
 */
export class LoginsNotWrittenError extends Error {
  override readonly name = 'LoginsNotWrittenError';
  constructor(
    readonly quarantined: ReadonlySet<string>,
    readonly reason: unknown,
  ) {
    super('the logins of a write failed after its quarantine rows committed', { cause: reason });
  }
}

/** Thrown by the handler when no record of the batch could be processed. */
export class FullBatchFailureError extends Error {
  override readonly name = 'FullBatchFailureError';
  constructor(readonly recordCount: number, options?: { cause?: unknown }) {
    super(`all ${recordCount} records of the batch failed transiently`, options);
  }
}

/** A short, PII-free description of an error for logs and CLI output. */
export function describeError(error: unknown): { type: string; message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      type: error.name,
      // Postgres "detail" can quote row values; the message itself does not.
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
  return { type: typeof error, message: String(error) };
}
