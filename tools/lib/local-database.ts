import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { EMBEDDED_PASSWORD, EMBEDDED_USER, initCluster, serverLayout, startServer } from './embedded-server.js';
import { dataDir } from './paths.js';

export interface LocalDatabase {
  /** Server URL (maintenance database). */
  serverUrl: string;
  /** URL of the login-etl database on that server. */
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates the database if it does not exist (CREATE DATABASE has no IF NOT EXISTS). */
export async function ensureDatabaseExists(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!exists.rowCount) {
      await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * A server already running on this cluster: another tool's (a consume in one
 * terminal, a demo in another) or one orphaned by a hard kill. It is shared,
 * not restarted, and left running for its owner. postmaster.pid holds the pid
 * on line 1 and the port on line 4.
 */
async function runningServerPort(clusterDir: string): Promise<number | undefined> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file: postgres removes it itself on start
  }
  return port;
}

/**
 * The database for local runs: DATABASE_URL when set, otherwise an embedded
 * PostgreSQL (real server binaries from the npm registry) whose cluster lives
 * under .data/ and is reused between runs. As root, the server runs as the
 * `postgres` system user, from /var/tmp/login-etl-<hash>/ when that user
 * cannot reach the checkout (tools/lib/embedded-server.ts).
 */
export async function startLocalDatabase(options: {
  cluster?: string;
  database?: string;
  log?: (line: string) => void;
} = {}): Promise<LocalDatabase> {
  const database = options.database ?? 'login_etl';
  const external = process.env.DATABASE_URL;
  if (external) {
    // DATABASE_URL names the database to use; it must exist.
    return { serverUrl: external, url: external, embedded: false, stop: async () => undefined };
  }
  const layout = await serverLayout(dataDir, options.cluster ?? 'postgres');
  const { clusterDir } = layout;
  const running = await runningServerPort(clusterDir);
  if (running !== undefined) {
    const serverUrl = embeddedUrl(running);
    options.log?.(`embedded PostgreSQL already running on 127.0.0.1:${running}; sharing it`);
    await ensureDatabaseExists(serverUrl, database);
    return { serverUrl, url: withDatabase(serverUrl, database), embedded: true, stop: async () => undefined };
  }
  const started = Date.now();
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    const where = path.relative(process.cwd(), clusterDir);
    options.log?.(`initialising embedded PostgreSQL in ${where && !where.startsWith('..') ? where : clusterDir}`);
    await initCluster(layout);
  }
  const server = await startServer(layout, await freePort());
  options.log?.(`embedded PostgreSQL on 127.0.0.1:${server.port} (${Date.now() - started} ms)`);
  const serverUrl = embeddedUrl(server.port);
  await ensureDatabaseExists(serverUrl, database);
  return { serverUrl, url: withDatabase(serverUrl, database), embedded: true, stop: () => server.stop() };
}

const embeddedUrl = (port: number) => `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
