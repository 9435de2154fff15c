/** A migration that cannot run as it is; retrying the deploy unchanged will not help, or not yet. */
export class MigrationError extends Error {
  override readonly name: string = 'MigrationError';
  constructor(
    message: string,
    /** The migration, as `009_name`. */
    readonly migration: string,
    /** The SQLSTATE behind it, when the server raised one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Every attempt gave up waiting for a lock (55P03 lock_not_available). */
export class MigrationLockTimeoutError extends MigrationError {
  override readonly name = 'MigrationLockTimeoutError';
  constructor(migration: string, attempts: number, lockTimeoutMs: number, cause: unknown) {
    super(
      `migration ${migration} could not take its locks: ${attempts} attempts each gave up after waiting ` +
        `${lockTimeoutMs} ms (lock_timeout). A long transaction holds a lock it needs; find it in ` +
        'pg_stat_activity (pg_blocking_pids), let it finish or end it, then run the migration again',
      migration,
      '55P03',
      { cause },
    );
  }
}

/** The server rejected a migration's statement (a statement timeout, a SQL error). */
export class MigrationFailedError extends MigrationError {
  override readonly name = 'MigrationFailedError';
  constructor(migration: string, code: string, cause: Error) {
    super(`migration ${migration} failed: ${cause.message} (SQLSTATE ${code}); nothing of it was applied`, migration, code, { cause });
  }
}

/** An applied migration whose text has changed since it ran. */
export class MigrationChecksumError extends MigrationError {
  override readonly name = 'MigrationChecksumError';
  constructor(readonly changed: readonly string[]) {
    super(
      `migration${changed.length > 1 ? 's' : ''} ${changed.join(', ')} changed after ${changed.length > 1 ? 'they' : 'it'} ran ` +
        '(checksum in schema_migrations differs): an applied migration must never change; restore its text and put ' +
        'the change in a new migration',
      changed[0] as string,
    );
  }
}
