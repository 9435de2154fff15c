/**
 * The database logins login-etl runs as, by name: the contract between the
 * migrations that create them, the stack that grants IAM access to them
 * through RDS Proxy, and the local tools that connect as them. Group roles
 * (login_etl_writer, login_etl_analyst, login_etl_operator) hold the grants;
 * these logins are their members and hold none of their own.
 */

/** The pipeline function's login: a member of login_etl_writer only. */
export const PIPELINE_LOGIN = 'login_etl_pipeline';

/** Every named operator's login starts with this, so IAM and the audit can tell them apart. */
export const OPERATOR_LOGIN_PREFIX = 'login_etl_op_';

/** What a person's short name may be: a lowercase identifier, safe in SQL, IAM ARNs and logs. */
export const OPERATOR_NAME = /^[a-z][a-z0-9_]{1,29}$/;

/** The database login of the named operator, e.g. `alice` → `login_etl_op_alice`. */
export function operatorLogin(name: string): string {
  if (!OPERATOR_NAME.test(name)) {
    throw new Error(`operator name "${name.slice(0, 40)}" must be 2-30 characters: a lowercase letter, then lowercase letters, digits or _`);
  }
  return `${OPERATOR_LOGIN_PREFIX}${name}`;
}
