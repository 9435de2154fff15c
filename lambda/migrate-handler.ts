import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigError, loadDatabaseConfig, type Config } from './config.js';
import { refusedSqlState } from './db/database-errors.js';
import { parseOperatorNames } from './db/login-names.js';
import { syncOperatorLogins } from './db/logins.js';
import { migrate, type MigrationResult } from './db/migrate.js';
import { MigrationError } from './db/migration-errors.js';
import { redactReplacer } from './observability/redact.js';
import { createDatabase } from './resources.js';

/**
 * Deploy-time schema migration: a CDK trigger runs it after the database
 * exists and before the pipeline takes traffic. It connects to the instance
 * directly as the master user (the only thing that uses that login) and gets
 * the database settings only, never the masking keyring or the vault key.
 * After the migrations it makes the named operators' logins what
 * OPERATOR_LOGINS lists (IAM-authenticated through RDS Proxy, no password)
 * and retires the ones the list no longer names.
 */
export interface MigrationConfig extends Pick<Config, 'database' | 'region'> {
  /** Short operator names from OPERATOR_LOGINS (`alice,bob`); empty = none. */
  operators: string[];
}

export interface MigrationOutcome extends MigrationResult {
  operatorLogins: { ensured: string[]; retired: string[] };
}

/** The migrator's configuration, validated at cold start; a bad OPERATOR_LOGINS names itself. */
export function loadMigrationConfig(source: NodeJS.ProcessEnv = process.env): MigrationConfig {
  const config = loadDatabaseConfig(source);
  try {
    return { ...config, operators: parseOperatorNames(source.OPERATOR_LOGINS) };
  } catch (error) {
    throw new ConfigError('OPERATOR_LOGINS', `is invalid: ${(error as Error).message}`);
  }
}

/** A fresh RDS target reports "unavailable" for a while after creation. */
const CONNECT_PATIENCE_MS = 60_000;

export function createMigrationHandler(config: MigrationConfig, logger: Logger): () => Promise<MigrationOutcome> {
  return async () => {
    const database = await createDatabase(config);
    const deadline = Date.now() + CONNECT_PATIENCE_MS;
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const { value } = await database.run(async (client) => {
            const onRetry = (retry: { migration: string; attempt: number; delayMs: number }) =>
              logger.warn('migration gave up waiting for a lock (lock_timeout); retrying', retry);
            const result = await migrate(client, undefined, { onRetry });
            return { ...result, operatorLogins: await syncOperatorLogins(client, config.operators) };
          });
          logger.info('migrations done', {
            applied: value.applied,
            alreadyApplied: value.alreadyApplied,
            checksumsRecorded: value.checksumsRecorded,
            operatorLogins: value.operatorLogins,
          });
          return value;
        } catch (error) {
          // The server answered (a statement refused) or a migration is broken: not retried.
          const retryable = refusedSqlState(error) === undefined && !(error instanceof MigrationError);
          if (!retryable || Date.now() > deadline) throw error;
          logger.warn('database not reachable yet; retrying', { attempt, error: (error as Error).message });
          await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * attempt, 5_000)));
        }
      }
    } finally {
      await database.close();
    }
  };
}

export const handler = createMigrationHandler(
  loadMigrationConfig(),
  new Logger({ serviceName: 'login-etl-migrate', jsonReplacerFn: redactReplacer }),
);
