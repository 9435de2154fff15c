import pg from 'pg';
import { chosenVariable } from '../../lambda/config.js';
import { migrate, type MigrationResult } from '../../lambda/db/migrate.js';
import { ensureLocalKeys } from './local-keys.js';
import { startLocalDatabase, type LocalDatabase } from './local-database.js';
import { localPipelineUrl, provisionLocalPipelineLogin } from './local-logins.js';

export interface LocalEnvironment {
  /**
   * The handler's environment: DATABASE_URL is the pipeline's own login
   * (login_etl_pipeline, the writer's grants and nothing else), never the
   * admin; keys as configured.
   */
  env: NodeJS.ProcessEnv;
  /** The server; its `url` is the admin's, for migrateDatabase() only. */
  database: LocalDatabase;
}

/**
 * What a local run needs: a database (DATABASE_URL, else embedded) and keys
 * (the MASKING_* / VAULT_* variables when set, else the generated demo keys).
 * DATABASE_URL names the database's owner (it migrates); the handler gets
 * the same server and database as login_etl_pipeline.
 */
export async function prepareLocalEnvironment(log?: (line: string) => void): Promise<LocalEnvironment> {
  // Two keyrings (or two KEKs) set is the same mistake here as in the function: said before any server starts.
  const hasMasking = chosenVariable('masking', process.env) !== undefined;
  const hasVault = chosenVariable('vault', process.env) !== undefined;
  const database = await startLocalDatabase(log ? { log } : {});
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: await localPipelineUrl(database.url) };
  if (!hasMasking || !hasVault) {
    const keys = await ensureLocalKeys();
    if (!hasMasking) env.MASKING_KEYS_FILE = keys.keyringFile;
    if (!hasVault) env.VAULT_KEK_FILE = keys.kekFile;
  }
  return { env, database };
}

/** As the admin: applies pending migrations, then gives the pipeline's login its local password. */
export async function migrateDatabase(adminUrl: string): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const result = await migrate(client);
    await provisionLocalPipelineLogin(client, adminUrl);
    return result;
  } finally {
    await client.end();
  }
}
