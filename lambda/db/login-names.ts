/**
 * The database logins login-etl runs as, by name: the contract between the
 * migrations that create them, the stack that grants IAM access to them
 * through RDS Proxy, and the local tools that connect as them. Names and
 * pure rules only, no database code, so that the stack may import them;
 * creating and retiring logins is logins.ts.
 */

/** The pipeline function's login: a member of login_etl_writer only. */
export const PIPELINE_LOGIN = 'login_etl_pipeline';

/** Every named operator's login starts with this, so IAM and the audit can tell them apart. */
export const OPERATOR_LOGIN_PREFIX = 'login_etl_op_';

/** What a person's short name may be: a lowercase identifier, safe in SQL, IAM ARNs and logs. */
export const OPERATOR_NAME = /^[a-z][a-z0-9_]{1,29}$/;

export const WRITER_ROLE = 'login_etl_writer';
export const OPERATOR_ROLE = 'login_etl_operator';

/**
 * The partition maintenance's login (the scheduled function, `npm run
 * maintain`): a member of login_etl_maintainer, which may only EXECUTE
 * login_etl_maintain_v1 (migration 20).
 */
export const MAINTENANCE_LOGIN = 'login_etl_maintenance';
export const MAINTAINER_ROLE = 'login_etl_maintainer';

/** The database login of the named operator, e.g. `alice` → `login_etl_op_alice`. */
export function operatorLogin(name: string): string {
  if (!OPERATOR_NAME.test(name)) {
    throw new Error(`operator name "${name.slice(0, 40)}" must be 2-30 characters: a lowercase letter, then lowercase letters, digits or _`);
  }
  return `${OPERATOR_LOGIN_PREFIX}${name}`;
}

/**
 * OPERATOR_LOGINS as configured: comma-separated short names (`alice,bob`),
 * blanks ignored, each a valid operator name, none twice. Empty = none.
 */
export function parseOperatorNames(text: string | undefined): string[] {
  const names = (text ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
  for (const name of names) operatorLogin(name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new Error(`operator name "${repeated}" is listed twice`);
  return names;
}
