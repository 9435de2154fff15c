import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientBase } from 'pg';
import { refusedSqlState } from './database-errors.js';
import { MigrationFailedError, MigrationLockTimeoutError } from './migration-errors.js';
import { checkHistory, checksumOf, migrationLabel, type TimedMigration } from './migration-history.js';
import { migrations as allMigrations } from './migrations/index.js';

/** Arbitrary constant: serializes concurrent migrators (deploys, parallel tests). */
const MIGRATION_LOCK_KEY = 7_420_117;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
  /** Applied migrations that had no checksum yet (a database from before checksums): recorded now, as they are. */
  checksumsRecorded: string[];
}

export interface MigrateOptions {
  /**
   * lock_timeout of every step (a migration may set its own). DDL queued
   * for a lock blocks every later query of the table, inserts included, so a
   * step waits this long at most, then rolls back and tries again later.
   */
  lockTimeoutMs?: number;
  /** statement_timeout of every step (a migration may set its own). */
  statementTimeoutMs?: number;
  /** Attempts per step before it fails with MigrationLockTimeoutError. */
  attempts?: number;
  /** First back-off between attempts; it doubles, with jitter, up to 10 s. */
  backoffMs?: number;
  onRetry?: (retry: { migration: string; attempt: number; delayMs: number }) => void;
}

const DEFAULTS = { lockTimeoutMs: 1_000, statementTimeoutMs: 60_000, attempts: 5, backoffMs: 500 } as const;
const MAX_BACKOFF_MS = 10_000;

type Settings = Required<Omit<MigrateOptions, 'onRetry'>> & Pick<MigrateOptions, 'onRetry'>;

/**
 * Applies pending migrations, each in its own transaction under a
 * transaction-scoped advisory lock (so two migrators never interleave) and
 * its own lock and statement timeouts. First it checks the applied ones
 * against their checksums and refuses to go on if one changed. Idempotent:
 * a second run applies nothing.
 */
export async function migrate(
  client: ClientBase,
  migrations: readonly TimedMigration[] = allMigrations,
  options: MigrateOptions = {},
): Promise<MigrationResult> {
  const settings: Settings = { ...DEFAULTS, ...options };
  const history = await inStep(client, settings, 'schema_migrations', () => checkHistory(client, migrations));
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const migration of migrations) {
    if (history.applied.has(migration.version)) {
      alreadyApplied += 1;
      continue;
    }
    const label = migrationLabel(migration);
    const timeouts = { ...settings, ...pick(migration) };
    const done = await inStep(client, timeouts, label, () => applyOne(client, migration));
    if (done) applied.push(label);
    else alreadyApplied += 1;
  }
  return { applied, alreadyApplied, checksumsRecorded: history.recorded };
}

function pick(m: TimedMigration): Partial<Settings> {
  return {
    ...(m.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: m.lockTimeoutMs }),
    ...(m.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: m.statementTimeoutMs }),
  };
}

/** False when another migrator applied it since the history was read. */
async function applyOne(client: ClientBase, migration: TimedMigration): Promise<boolean> {
  const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
  if (done.rowCount) return false;
  await client.query(migration.sql);
  await client.query('INSERT INTO schema_migrations(version, name, checksum) VALUES ($1, $2, $3)', [
    migration.version,
    migration.name,
    checksumOf(migration),
  ]);
  return true;
}

/**
 * One transaction: the migration lock, then SET LOCAL lock_timeout and
 * statement_timeout, then the work. On a lock timeout (55P03) it rolls back,
 * waits a jittered back-off and tries again, up to `attempts` times.
 * Server errors are raised naming the migration; a lost connection is
 * raised as it is, for the caller to retry.
 */
async function inStep<T>(client: ClientBase, s: Settings, label: string, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query("SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)", [
        String(s.lockTimeoutMs),
        String(s.statementTimeoutMs),
      ]);
      const value = await work();
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = refusedSqlState(error);
      if (code !== '55P03') throw code && error instanceof Error ? new MigrationFailedError(label, code, error) : error;
      if (attempt >= s.attempts) throw new MigrationLockTimeoutError(label, attempt, s.lockTimeoutMs, error);
      const delayMs = backoff(attempt, s.backoffMs);
      s.onRetry?.({ migration: label, attempt, delayMs });
      await sleep(delayMs);
    }
  }
}

/** Between half and all of base·2^(attempt−1), capped: migrators retrying together spread out. */
function backoff(attempt: number, baseMs: number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
