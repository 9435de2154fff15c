/**
 * The database logins login-etl runs as (names in lambda/db/logins.ts).
 * Group roles (migration 4) hold the grants; a login is a member of exactly
 * one of them and holds nothing of its own.
 *
 * login_etl_ensure_login is the one place that says what such a login is:
 * created if missing (roles are cluster-wide and several databases may
 * migrate at once, hence the duplicate_object guard), never superuser, no
 * CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS, a member of its group and,
 * where RDS IAM authentication exists (role rds_iam), of rds_iam; a login
 * that belongs to any other role is refused rather than run with more than
 * its group's grants. Only attributes that are wrong are altered: a correct
 * login costs no catalog write (concurrent ALTER ROLE fails with "tuple
 * concurrently updated") and needs no superuser (RDS's master is not one).
 * A password is given as a SCRAM verifier, never in the clear, and only for
 * local runs: in AWS the logins authenticate with IAM through RDS Proxy.
 *
 * login_etl_retire_logins withdraws logins: out of their group (which also
 * ends what an open session of theirs may do) and NOLOGIN. The roles stay, so
 * a name in the audit trail is never given to someone else.
 *
 * They run with the caller's rights and only the migration owner may call them.
 */
export const sql = `
CREATE OR REPLACE FUNCTION login_etl_ensure_login(
  login text, member_of text, verifier text DEFAULT NULL, note text DEFAULT NULL
) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
  r pg_roles%ROWTYPE;
  fixes text;
  extra text;
BEGIN
  IF member_of NOT IN ('login_etl_writer', 'login_etl_operator') THEN
    RAISE EXCEPTION 'login % may only join login_etl_writer or login_etl_operator, not %', login, member_of;
  END IF;
  BEGIN
    EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', login);
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
  END;
  SELECT * INTO STRICT r FROM pg_roles WHERE rolname = login;
  fixes := concat_ws(' ',
    CASE WHEN r.rolsuper THEN 'NOSUPERUSER' END, CASE WHEN r.rolcreatedb THEN 'NOCREATEDB' END,
    CASE WHEN r.rolcreaterole THEN 'NOCREATEROLE' END, CASE WHEN r.rolreplication THEN 'NOREPLICATION' END,
    CASE WHEN r.rolbypassrls THEN 'NOBYPASSRLS' END, CASE WHEN NOT r.rolcanlogin THEN 'LOGIN' END,
    CASE WHEN NOT r.rolinherit THEN 'INHERIT' END);
  IF fixes <> '' THEN
    EXECUTE format('ALTER ROLE %I %s', login, fixes);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid AND g.rolname = member_of) THEN
    BEGIN
      EXECUTE format('GRANT %I TO %I', member_of, login);
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam')
     AND NOT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid AND g.rolname = 'rds_iam') THEN
    BEGIN
      EXECUTE format('GRANT rds_iam TO %I', login);
    EXCEPTION WHEN unique_violation OR undefined_object THEN NULL;
    END;
  END IF;
  SELECT string_agg(DISTINCT g.rolname, ', ') INTO extra
  FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
  WHERE m.member = r.oid AND g.rolname NOT IN (member_of, 'rds_iam');
  IF extra IS NOT NULL THEN
    RAISE EXCEPTION 'login % is also a member of %: it may hold the grants of % only; revoke the others', login, extra, member_of;
  END IF;
  IF verifier IS NOT NULL THEN
    EXECUTE format('ALTER ROLE %I PASSWORD %L', login, verifier);
  END IF;
  IF note IS NOT NULL AND shobj_description(r.oid, 'pg_authid') IS DISTINCT FROM note THEN
    EXECUTE format('COMMENT ON ROLE %I IS %L', login, note);
  END IF;
END
$fn$;
REVOKE ALL ON FUNCTION login_etl_ensure_login(text, text, text, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION login_etl_retire_logins(member_of text, logins text[])
RETURNS SETOF text LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
  login text;
BEGIN
  FOR login IN SELECT r.rolname FROM pg_roles r WHERE r.rolname = ANY (logins) ORDER BY 1 LOOP
    IF EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
               WHERE r.rolname = login AND g.rolname = member_of) THEN
      EXECUTE format('REVOKE %I FROM %I', member_of, login);
    END IF;
    IF (SELECT rolcanlogin FROM pg_roles WHERE rolname = login) THEN
      EXECUTE format('ALTER ROLE %I NOLOGIN', login);
    END IF;
    RETURN NEXT login;
  END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION login_etl_retire_logins(text, text[]) FROM PUBLIC;

SELECT login_etl_ensure_login('login_etl_pipeline', 'login_etl_writer');
`;
