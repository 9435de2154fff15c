import pg from 'pg';
import { migrate, type MigrationResult } from '../../lambda/db/migrate.js';
import { ensureLocalKeys } from './local-keys.js';
import { startLocalDatabase, type LocalDatabase } from './local-database.js';

export interface LocalEnvironment {
  env: NodeJS.ProcessEnv;
  database: LocalDatabase;
}

/**
 * What a local run needs: a database (DATABASE_URL, else embedded) and keys
 * (the MASKING_* / VAULT_* variables when set, else the generated demo keys).
 */
export async function prepareLocalEnvironment(log?: (line: string) => void): Promise<LocalEnvironment> {
  const database = await startLocalDatabase(log ? { log } : {});
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url };
  const hasMasking = ['MASKING_KEYS', 'MASKING_KEYS_FILE', 'MASKING_SECRET_ARN'].some((v) => process.env[v]);
  const hasVault = ['VAULT_KEK_FILE', 'VAULT_KMS_KEY_ID'].some((v) => process.env[v]);
  if (!hasMasking || !hasVault) {
    const keys = await ensureLocalKeys();
    if (!hasMasking) env.MASKING_KEYS_FILE = keys.keyringFile;
    if (!hasVault) env.VAULT_KEK_FILE = keys.kekFile;
  }
  return { env, database };
}

export async function migrateDatabase(url: string): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await migrate(client);
  } finally {
    await client.end();
  }
}
