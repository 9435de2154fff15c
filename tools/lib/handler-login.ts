import type { LoginEtl } from '../../lambda/login-etl.js';

/**
 * Who the handler's cached connection is, asked on that connection itself:
 * "login_etl_pipeline (not a superuser)". The local tools print it so that a
 * run shows it exercised the production privilege set.
 */
export async function describeHandlerLogin(etl: LoginEtl): Promise<string> {
  const { database } = await etl.resources();
  const { value } = await database.run((client) =>
    client.query<{ login: string; superuser: boolean }>(
      'SELECT session_user AS login, rolsuper AS superuser FROM pg_roles WHERE rolname = session_user',
    ),
  );
  const row = value.rows[0];
  if (!row) return 'an unknown login';
  return `${row.login} (${row.superuser ? 'a SUPERUSER: the handler should never run as one' : 'not a superuser'})`;
}
