import type { ClientBase } from 'pg';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

/** Arbitrary constant: serializes concurrent migrators (deploys, parallel tests). */
const MIGRATION_LOCK_KEY = 7_420_117;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending migrations, each in its own transaction, under a
 * transaction-scoped advisory lock so two migrators never interleave.
 * Idempotent: a second run applies nothing.
 */
export async function migrate(
  client: ClientBase,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationResult> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations(
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`).catch(async (error: unknown) => {
    // Two first-time migrators can race on CREATE TABLE IF NOT EXISTS.
    if ((error as { code?: string }).code !== '23505') throw error;
  });
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const migration of migrations) {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (done.rowCount) {
        alreadyApplied += 1;
      } else {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations(version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        applied.push(`${String(migration.version).padStart(3, '0')}_${migration.name}`);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  }
  return { applied, alreadyApplied };
}
