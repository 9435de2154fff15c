import type { ClientBase } from 'pg';
import { refusedSqlState } from './database-errors.js';
import { MAINTAINER_ROLE, MAINTENANCE_LOGIN, OPERATOR_ROLE, operatorLogin, PIPELINE_LOGIN, WRITER_ROLE } from './login-names.js';

/**
 * Creating and retiring the logins named in login-names.ts. Group roles
 * (login_etl_writer, login_etl_analyst, login_etl_operator) hold the grants;
 * these logins are their members and hold none of their own. What a login
 * is (attributes, memberships) is said once, in SQL: login_etl_ensure_login
 * (migration 9); the functions below only call it.
 */

/**
 * The role comment that marks the operator logins the deploy-time migrator
 * manages from OPERATOR_LOGINS: only those are retired when a name leaves
 * the list; logins made by hand (npm run operator-login) are left alone.
 */
const OPERATOR_LOGINS_NOTE = 'login-etl: managed from OPERATOR_LOGINS';

/** Options for a login: a SCRAM verifier for password logins (local runs only), a managing note. */
export interface LoginOptions {
  passwordVerifier?: string;
  note?: string;
}

/**
 * Two migrators (or test files) that alter the same cluster-wide role at
 * once: one of them gets this internal error; the other's change is the same.
 */
const isConcurrentRoleUpdate = (error: unknown) =>
  refusedSqlState(error) === 'XX000' && /tuple concurrently updated/.test((error as Error).message);

async function ensureLogin(client: ClientBase, login: string, group: string, options: LoginOptions): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.query('SELECT login_etl_ensure_login($1, $2, $3, $4)', [
        login,
        group,
        options.passwordVerifier ?? null,
        options.note ?? null,
      ]);
      return;
    } catch (error) {
      if (!isConcurrentRoleUpdate(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/** The pipeline's login: created if missing, made what it must be. Needs the migration owner. */
export function ensurePipelineLogin(client: ClientBase, options: LoginOptions = {}): Promise<void> {
  return ensureLogin(client, PIPELINE_LOGIN, WRITER_ROLE, options);
}

/** The partition maintenance's login (a member of login_etl_maintainer only). Needs the migration owner. */
export function ensureMaintenanceLogin(client: ClientBase, options: LoginOptions = {}): Promise<void> {
  return ensureLogin(client, MAINTENANCE_LOGIN, MAINTAINER_ROLE, options);
}

/** One named operator's login (login_etl_op_<name>, a member of login_etl_operator only). */
export async function ensureOperatorLogin(client: ClientBase, name: string, options: LoginOptions = {}): Promise<string> {
  const login = operatorLogin(name);
  await ensureLogin(client, login, OPERATOR_ROLE, options);
  return login;
}

/** Withdraws a named operator's login: out of login_etl_operator (an open session loses its grants) and NOLOGIN. */
export async function retireOperatorLogin(client: ClientBase, name: string): Promise<string> {
  const login = operatorLogin(name);
  await client.query('SELECT login_etl_retire_logins($1, $2)', [OPERATOR_ROLE, [login]]);
  return login;
}

/**
 * The deploy-time operator logins, as OPERATOR_LOGINS lists them: each one
 * ensured (IAM-authenticated in AWS, no password), and every login an
 * earlier list held but this one does not is retired (NOLOGIN, out of
 * login_etl_operator). Returns the logins ensured and retired.
 */
export async function syncOperatorLogins(client: ClientBase, names: readonly string[]): Promise<{ ensured: string[]; retired: string[] }> {
  const ensured: string[] = [];
  for (const name of names) ensured.push(await ensureOperatorLogin(client, name, { note: OPERATOR_LOGINS_NOTE }));
  // Logins this list made earlier (its note) that it no longer names, still able to log in or still in the group.
  const { rows } = await client.query<{ login: string }>(
    `SELECT login_etl_retire_logins($1::text, ARRAY(
       SELECT r.rolname::text FROM pg_roles r
       WHERE shobj_description(r.oid, 'pg_authid') = $2 AND r.rolname <> ALL ($3::text[])
         AND (r.rolcanlogin OR pg_has_role(r.oid, $1::text, 'MEMBER')))) AS login`,
    [OPERATOR_ROLE, OPERATOR_LOGINS_NOTE, ensured],
  );
  return { ensured, retired: rows.map((r) => r.login) };
}
