import type { PoolClient } from 'pg';
import { loadConfig } from '../../../lambda/config.js';
import { refusedSqlState } from '../../../lambda/db/database-errors.js';
import { createResources, type Resources } from '../../../lambda/resources.js';
import { prepareLocalEnvironment } from '../local-environment.js';
import { localOperatorUrl } from '../local-logins.js';

/**
 * The operator's own connection and keys: DATABASE_URL as given (it is the
 * operator's own login, e.g. login_etl_op_alice), or on the embedded demo
 * database the OS user's operator login, never the admin; and the MASKING_* /
 * VAULT_* settings, exactly as the function reads them. Nothing here prints.
 */
export interface OperatorSession {
  resources: Resources;
  run<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openOperatorSession(): Promise<OperatorSession> {
  const { env, database } = await prepareLocalEnvironment();
  let resources: Resources;
  try {
    const url = database.embedded ? await localOperatorUrl(database.url) : database.url;
    resources = await createResources(loadConfig({ ...env, DATABASE_URL: url }));
  } catch (error) {
    await database.stop();
    throw error;
  }
  return {
    resources,
    async run(work) {
      try {
        return (await resources.database.run(work)).value;
      } catch (error) {
        throw explainDatabaseError(error);
      }
    },
    async close() {
      await resources.database.close();
      await database.stop();
    },
  };
}

/** The two errors an operator can fix, with the fix; others pass unchanged. */
function explainDatabaseError(error: unknown): unknown {
  const code = refusedSqlState(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === '42501') {
    return new Error(`${message} (SQLSTATE 42501): connect as a database user granted login_etl_operator`, { cause: error });
  }
  if (code === '42P01') {
    return new Error(`${message} (SQLSTATE 42P01): the database has no login-etl schema; run \`npm run migrate\``, { cause: error });
  }
  return error;
}
