import { randomBytes } from 'node:crypto';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../lambda/db/migrate.js';
import { localLoginsDir, localPipelineUrl, provisionLocalOperatorLogin, provisionLocalPipelineLogin } from '../../tools/lib/local-logins.js';

export interface TestDatabase {
  name: string;
  /**
   * The code under test connects here: login_etl_pipeline, a member of
   * login_etl_writer only, as the function connects in AWS. Every test that
   * runs the handler exercises the production privilege set.
   */
  pipelineUrl: string;
  /** The server's superuser on this database: migrations, fixtures, assertions. Never the code under test. */
  adminUrl: string;
  serverUrl: string;
  /** Admin connections, for assertions. */
  pool: pg.Pool;
  /** A named operator's login (login_etl_op_<name>, a member of login_etl_operator only), created on first use. */
  operatorUrl(name?: string): Promise<string>;
  drop(): Promise<void>;
}

export function testServerUrl(): string {
  const url = process.env.LOGIN_ETL_TEST_SERVER_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('no test database server: run the tests with `npm test` (or set DATABASE_URL)');
  return url;
}

function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, migrated database of its own for one test file, with the pipeline's login ready. */
export async function createTestDatabase(prefix: string, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = `t_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const adminUrl = databaseUrl(serverUrl, name);
  const pool = new pg.Pool({ connectionString: adminUrl, max: 4 });
  pool.on('error', () => undefined);
  const asAdmin = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  };
  const pipelineUrl =
    options.migrate === false
      ? await localPipelineUrl(adminUrl)
      : await asAdmin(async (client) => {
          await migrate(client);
          return provisionLocalPipelineLogin(client, adminUrl);
        });
  return {
    name,
    pipelineUrl,
    adminUrl,
    serverUrl,
    pool,
    operatorUrl: (operator = 'tester') => asAdmin((client) => provisionLocalOperatorLogin(client, adminUrl, operator)),
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Gives another data dir (a tool run with its own LOGIN_ETL_DATA_DIR against
 * the shared test server) the local logins' passwords this process uses:
 * otherwise that tool would reset the cluster-wide login's password to its
 * own, under the test files running beside it.
 */
export async function shareLocalLogins(otherDataDir: string): Promise<void> {
  const target = path.join(otherDataDir, 'keys', 'logins');
  await mkdir(target, { recursive: true, mode: 0o700 });
  await cp(localLoginsDir(), target, { recursive: true });
}
