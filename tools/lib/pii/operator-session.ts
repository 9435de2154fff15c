import type { PoolClient } from 'pg';
import { loadConfig, type Config } from '../../../lambda/config.js';
import { refusedSqlState } from '../../../lambda/db/database-errors.js';
import { createResources, type Resources } from '../../../lambda/resources.js';
import { prepareLocalEnvironment } from '../local-environment.js';
import { localOperatorUrl } from '../local-logins.js';

/**
 * The operator's own connection and keys, and the function's configuration
 * as the same variables give it (UNWRAP_ENVELOPES for replay). Nothing here
 * prints.
 */
export interface OperatorSession {
  config: Config;
  resources: Resources;
  run<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Where the operator tools connect, decided once for all of them:
 * - `settings`: the DB_* variables, as the function reads them (DB_HOST is
 *   the RDS Proxy, DB_USER the operator's login_etl_op_<name>, DB_IAM_AUTH
 *   signs a token; or DB_SECRET_ARN): when DB_HOST or DB_SECRET_ARN is set and
 *   DATABASE_URL is not. No local database and no demo keys: the keys must
 *   be given too (MASKING_*, VAULT_*), since the demo ones match nothing there.
 * - `local`: DATABASE_URL as given (the operator's own login), or the
 *   embedded demo database as the OS user's operator login, never the admin;
 *   keys as configured, else the demo keys.
 */
export function operatorDatabase(env: NodeJS.ProcessEnv = process.env): 'settings' | 'local' {
  if (env.DATABASE_URL) return 'local';
  return env.DB_HOST || env.DB_SECRET_ARN ? 'settings' : 'local';
}

export async function openOperatorSession(env: NodeJS.ProcessEnv = process.env): Promise<OperatorSession> {
  if (operatorDatabase(env) === 'settings') {
    const config = loadConfig(env);
    return session(config, await createResources(config), async () => undefined);
  }
  const { env: local, database } = await prepareLocalEnvironment();
  try {
    const url = database.embedded ? await localOperatorUrl(database.url) : database.url;
    const config = loadConfig({ ...local, DATABASE_URL: url });
    return session(config, await createResources(config), () => database.stop());
  } catch (error) {
    await database.stop();
    throw error;
  }
}

function session(config: Config, resources: Resources, stop: () => Promise<void>): OperatorSession {
  return {
    config,
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
      await stop();
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
