import { loadConfig } from './config.js';
import { migrate, type MigrationResult } from './db/migrate.js';
import { LoginEtl } from './login-etl.js';

/**
 * Deploy-time schema migration (a CDK trigger runs it before the pipeline's
 * event source mapping exists). Same configuration as the pipeline.
 */
const loginEtl = new LoginEtl(loadConfig());

export const handler = async (): Promise<MigrationResult> => {
  const { database } = await loginEtl.resources();
  const { value } = await database.run((client) => migrate(client));
  loginEtl.logger.info('migrations done', { applied: value.applied, alreadyApplied: value.alreadyApplied });
  return value;
};
