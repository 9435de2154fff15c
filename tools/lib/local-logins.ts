import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { MAINTENANCE_LOGIN, OPERATOR_NAME, operatorLogin, PIPELINE_LOGIN } from '../../lambda/db/login-names.js';
import { ensureMaintenanceLogin, ensureOperatorLogin, ensurePipelineLogin } from '../../lambda/db/logins.js';
import { dataDir } from './paths.js';
import { osUser } from './pii/operator-context.js';
import { scramSha256Verifier } from './scram-verifier.js';

/**
 * Local runs connect as the same logins the function and the operators use
 * in AWS, not as the server's superuser. In AWS those logins authenticate
 * with IAM; a local server (embedded: password auth) needs a password, one
 * per login and per machine, generated once under the data dir beside the
 * demo keys (mode 0600) and never printed. The admin URL (the embedded
 * server's superuser, or DATABASE_URL) is used only to migrate and to set
 * these logins up.
 */
export const localLoginsDir = (): string => path.join(dataDir, 'keys', 'logins');

/**
 * The login's local password, created on first use. Several processes may
 * ask at once (parallel test files): the file is written under a private
 * name and linked into place, so a reader sees a whole file or none, and
 * every process ends up with the one that was linked first.
 */
export async function localLoginPassword(login: string): Promise<string> {
  const dir = localLoginsDir();
  const file = path.join(dir, `${login}.password`);
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing) return existing.trim();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${generatedPassword()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(temporary, { force: true });
  }
  return (await readFile(file, 'utf8')).trim();
}

/** 32 characters from the CSPRNG (192 bits), printable ASCII as SCRAM wants it. */
export const generatedPassword = (): string => randomBytes(24).toString('base64url');

/** The same server and database as `url`, as another login. Keeps the URL's parameters (sslmode, options). */
export function loginUrl(url: string, login: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(login);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** The URL the handler uses locally: the admin URL's server and database, as login_etl_pipeline. */
export async function localPipelineUrl(adminUrl: string): Promise<string> {
  return loginUrl(adminUrl, PIPELINE_LOGIN, await localLoginPassword(PIPELINE_LOGIN));
}

/**
 * The local operator's short name: the OS user, made a valid operator name
 * (lowercase, letters, digits and _, 2–30 characters), so the audit says who.
 */
export function localOperatorName(env: NodeJS.ProcessEnv = process.env): string {
  const cleaned = (osUser(env) ?? '').toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^[^a-z]+/, '');
  const name = cleaned.slice(0, 30);
  return OPERATOR_NAME.test(name) ? name : 'local';
}

/** True when `url` authenticates; false when the server refuses the login or its password. */
async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    // 28P01 wrong password, 28000 no such login / not permitted to log in.
    if (['28P01', '28000'].includes(String((error as { code?: unknown }).code))) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Gives a local login its password, once: when the URL already
 * authenticates nothing is altered (parallel processes would otherwise race
 * on the same cluster-wide role).
 */
async function withLocalPassword(url: string, password: string, ensure: (verifier?: string) => Promise<unknown>): Promise<string> {
  await ensure();
  if (!(await canConnect(url))) await ensure(scramSha256Verifier(password));
  return url;
}

/** After migrating (as admin): the pipeline login gets its local password. Returns its URL. */
export async function provisionLocalPipelineLogin(admin: pg.ClientBase, adminUrl: string): Promise<string> {
  const password = await localLoginPassword(PIPELINE_LOGIN);
  const url = loginUrl(adminUrl, PIPELINE_LOGIN, password);
  return withLocalPassword(url, password, (verifier) =>
    ensurePipelineLogin(admin, verifier ? { passwordVerifier: verifier } : {}),
  );
}

/** After migrating (as admin): the maintenance login gets its local password. Returns its URL. */
export async function provisionLocalMaintenanceLogin(admin: pg.ClientBase, adminUrl: string): Promise<string> {
  const password = await localLoginPassword(MAINTENANCE_LOGIN);
  const url = loginUrl(adminUrl, MAINTENANCE_LOGIN, password);
  return withLocalPassword(url, password, (verifier) =>
    ensureMaintenanceLogin(admin, verifier ? { passwordVerifier: verifier } : {}),
  );
}

/** A named operator's local login (login_etl_op_<name>), with a password kept under the data dir. Returns its URL. */
export async function provisionLocalOperatorLogin(admin: pg.ClientBase, adminUrl: string, name: string): Promise<string> {
  const login = operatorLogin(name);
  const password = await localLoginPassword(login);
  const url = loginUrl(adminUrl, login, password);
  return withLocalPassword(url, password, (verifier) =>
    ensureOperatorLogin(admin, name, verifier ? { passwordVerifier: verifier } : {}),
  );
}

/**
 * The operator tools' login on the embedded server: the OS user's own
 * operator login (login_etl_op_<user>), set up here with the admin, so the
 * work itself never runs as the admin and the audit names the person.
 */
export async function localOperatorUrl(adminUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await admin.connect();
  try {
    return await provisionLocalOperatorLogin(admin, adminUrl, localOperatorName(env));
  } catch (error) {
    if ((error as { code?: unknown }).code === '42883') {
      throw new Error('the local database has no login-etl schema (or an old one); run `npm run migrate`', { cause: error });
    }
    throw error;
  } finally {
    await admin.end();
  }
}
