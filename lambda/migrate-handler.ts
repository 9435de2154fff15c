import { Logger } from '@aws-lambda-powertools/logger';
import { loadDatabaseConfig } from './config.js';
import { isDeadConnectionError } from './db/database.js';
import { migrate, type MigrationResult } from './db/migrate.js';
import { MigrationError } from './db/migration-errors.js';
import { redactReplacer } from './observability/redact.js';
import { createDatabase } from './resources.js';

/**
 * Deploy-time schema migration: a CDK trigger runs it after the database and
 * proxy exist and before the pipeline takes traffic. It gets the database
 * settings only, never the masking keyring or the vault key.
 */
const config = loadDatabaseConfig();
const logger = new Logger({ serviceName: 'login-etl-migrate', jsonReplacerFn: redactReplacer });

const onRetry = (retry: { migration: string; attempt: number; delayMs: number }) =>
  logger.warn('migration gave up waiting for a lock (lock_timeout); retrying', retry);

/** A fresh RDS Proxy target reports "unavailable" for a while after creation. */
const CONNECT_PATIENCE_MS = 60_000;

export const handler = async (): Promise<MigrationResult> => {
  const database = await createDatabase(config);
  const deadline = Date.now() + CONNECT_PATIENCE_MS;
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { value } = await database.run((client) => migrate(client, undefined, { onRetry }));
        logger.info('migrations done', { applied: value.applied, alreadyApplied: value.alreadyApplied, checksumsRecorded: value.checksumsRecorded });
        return value;
      } catch (error) {
        // A SQLSTATE means the server answered: a broken migration is not retried.
        const sqlState = /^[0-9A-Z]{5}$/.test(String((error as { code?: unknown }).code ?? ''));
        const retryable = isDeadConnectionError(error) || (!sqlState && !(error instanceof MigrationError));
        if (!retryable || Date.now() > deadline) throw error;
        logger.warn('database not reachable yet; retrying', { attempt, error: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * attempt, 5_000)));
      }
    }
  } finally {
    await database.close();
  }
};
