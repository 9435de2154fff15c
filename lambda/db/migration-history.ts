import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';
import { MigrationChecksumError } from './migration-errors.js';
import type { Migration } from './migrations/index.js';

/** A migration, optionally with timeouts of its own (a long index build needs a longer statement_timeout). */
export interface TimedMigration extends Migration {
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/** `009_name`, as migrations are named in logs, errors and results. */
export function migrationLabel(m: Migration): string {
  return `${String(m.version).padStart(3, '0')}_${m.name}`;
}

/**
 * SHA-256 of the migration's SQL, line endings normalised (a checkout with
 * CRLF line endings runs the same migration).
 */
export function checksumOf(m: Migration): string {
  return createHash('sha256').update(m.sql.replaceAll('\r\n', '\n')).digest('hex');
}

export interface History {
  /** Versions applied before this run. */
  applied: Set<number>;
  /** Labels of applied migrations whose checksum was recorded by this run. */
  recorded: string[];
}

/**
 * Creates schema_migrations (or adds its checksum column), then compares each
 * applied migration with its text here. A row without a checksum, from before
 * checksums existed, gets the current text's (trust on first use: the
 * alternative, refusing, would stop every existing database's next deploy).
 * A changed text is refused, naming every changed migration. Rows of versions
 * this code does not know (a newer release's) are left alone, so an older
 * release can still be deployed. Runs inside the migration lock.
 */
export async function checkHistory(client: ClientBase, migrations: readonly Migration[]): Promise<History> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations(
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    checksum text)`);
  await client.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
  const { rows } = await client.query<{ version: number; checksum: string | null }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  const known = new Map(migrations.map((m) => [m.version, m]));
  const history: History = { applied: new Set(rows.map((r) => r.version)), recorded: [] };
  const changed: string[] = [];
  for (const row of rows) {
    const migration = known.get(row.version);
    if (!migration) continue;
    const checksum = checksumOf(migration);
    if (row.checksum === null) {
      await client.query('UPDATE schema_migrations SET checksum = $2 WHERE version = $1', [row.version, checksum]);
      history.recorded.push(migrationLabel(migration));
    } else if (row.checksum !== checksum) {
      changed.push(migrationLabel(migration));
    }
  }
  if (changed.length > 0) throw new MigrationChecksumError(changed);
  return history;
}
