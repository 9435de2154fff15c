import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../lambda/db/migrate.js';

export interface TestDatabase {
  name: string;
  url: string;
  serverUrl: string;
  /** For assertions; the code under test makes its own connections. */
  pool: pg.Pool;
  drop(): Promise<void>;
}

export function testServerUrl(): string {
  const url = process.env.LOGIN_ETL_TEST_SERVER_URL ?? process.env.DATABASE_URL;
  if (!url) throw new Error('no test database server: run the tests with `npm test` (or set DATABASE_URL)');
  return url;
}

export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, migrated database of its own for one test file. */
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
  const url = databaseUrl(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  if (options.migrate !== false) {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
  }
  return {
    name,
    url,
    serverUrl,
    pool,
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

/** The database user the tests connect as (postgres on the embedded server, whatever DATABASE_URL names otherwise). */
export async function currentUser(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ u: string }>('SELECT current_user AS u');
  return rows[0]?.u ?? '';
}
