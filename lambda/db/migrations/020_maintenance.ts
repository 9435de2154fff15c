/**
 * Partition maintenance (docs/operations.md, "Partitions, retention and
 * maintenance"): one database function that the scheduled maintenance
 * function in AWS and `npm run maintain` call, with the settings of
 * shared/maintenance-settings.ts:
 *
 *   login_etl_maintain_v1(months_ahead, retention_months, quarantine_body_days, apply)
 *     RETURNS TABLE(action text, target text, detail text)
 *
 * apply = false changes nothing and returns what apply = true would do;
 * apply = true does it, all or nothing, and returns what it did. A second run
 * right after returns no rows. Actions, in the order they run:
 *   create_partition  user_logins_pYYYYMM  its month; for this month, the months ahead,
 *                                          and every month the default partition holds rows of
 *   move_rows         user_logins_pYYYYMM  rows moved into it out of user_logins_default
 *   delete_rows       user_logins_default  default-partition rows older than retention
 *   drop_partition    user_logins_pYYYYMM  detached and dropped: its month ended before retention
 *   delete_orphans    pii_vault            sealed originals no kept row references
 *   shred_bodies      user_logins_quarantine  bodies quarantined longer than quarantine_body_days
 *   delete_orphans    vault_data_keys      data keys nothing references any more
 * Targets and details hold table names, dates and counts, never a value.
 *
 * Retention: a month's partition goes once its last day is more than
 * retention_months before today (UTC); erasure records and the audit are
 * never touched. A shredded body keeps its row (message id, reason, dates,
 * preview) as the record of what happened, marked shredded_at.
 *
 * A new month is created as a standalone table, the default partition's rows
 * of that month are moved into it, and it is attached behind a CHECK of its
 * bounds: creating it directly as a partition fails (23514) when the default
 * partition holds rows of its range. The default partition is locked against
 * inserts from the move to the attach. Its indexes are created by the attach.
 *
 * Writes go on during maintenance; lock_timeout bounds every wait (55P03:
 * nothing changed, the next run tries again). Deleting orphans takes SHARE
 * ROW EXCLUSIVE on pii_vault and vault_data_keys first: it waits for the
 * writes in flight and holds new ones back until it commits, so none can
 * reuse a sealed original or a data key the deletion no longer sees.
 *
 * SECURITY DEFINER, owned by the migration's admin (it creates, attaches and
 * drops tables), search_path pinned with pg_temp last. Only
 * login_etl_maintainer (the login login_etl_maintenance) may execute it; that
 * role holds no other grant.
 */
export const sql = `
DO $$
BEGIN
  CREATE ROLE login_etl_maintainer NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

ALTER TABLE user_logins_quarantine ADD COLUMN IF NOT EXISTS shredded_at timestamptz;
CREATE INDEX IF NOT EXISTS user_logins_quarantine_sealed_idx
  ON user_logins_quarantine (quarantined_at) WHERE body_ciphertext IS NOT NULL;
GRANT SELECT (shredded_at) ON user_logins_quarantine TO login_etl_analyst;

CREATE OR REPLACE FUNCTION login_etl_partition_name(month date) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$ SELECT 'user_logins_p' || to_char(month, 'YYYYMM') $fn$;

CREATE OR REPLACE FUNCTION login_etl_add_month_partition(month date) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  schema text := (SELECT c.relnamespace::regnamespace::text FROM pg_class c WHERE c.oid = 'user_logins'::regclass);
  part text := login_etl_partition_name(month);
  next date := (month + interval '1 month')::date;
  moved bigint;
BEGIN
  IF month <> date_trunc('month', month)::date THEN
    RAISE EXCEPTION 'a month partition starts on the first of a month, not %', month;
  END IF;
  -- Created in user_logins' schema: the pinned search_path starts with pg_catalog.
  EXECUTE format('CREATE TABLE %s.%I (LIKE user_logins INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)', schema, part);
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (create_date >= %L AND create_date < %L)',
                 part, part || '_bounds', month, next);
  IF to_regclass('user_logins_default') IS NOT NULL THEN
    -- No login of this month may enter the default partition between the move and the attach (23514).
    LOCK TABLE user_logins_default IN SHARE ROW EXCLUSIVE MODE;
    EXECUTE format('WITH moved AS (DELETE FROM user_logins_default WHERE create_date >= %L AND create_date < %L RETURNING *)
                    INSERT INTO %I SELECT * FROM moved', month, next, part);
    GET DIAGNOSTICS moved = ROW_COUNT;
  END IF;
  EXECUTE format('ALTER TABLE user_logins ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, month, next);
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_bounds');
  RETURN coalesce(moved, 0);
END
$fn$;

CREATE OR REPLACE FUNCTION login_etl_month_partitions()
RETURNS TABLE(part text, month date, next date, rows_estimate bigint) LANGUAGE sql STABLE AS $fn$
  SELECT c.relname::text, b.m[1]::date, b.m[2]::date, greatest(c.reltuples, 0)::bigint
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
  CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$FROM \\('([0-9-]+)'\\) TO \\('([0-9-]+)'\\)$re$) AS b(m)
  WHERE i.inhparent = 'user_logins'::regclass AND b.m IS NOT NULL
  ORDER BY 2
$fn$;

CREATE OR REPLACE FUNCTION login_etl_delete_orphans(
  keep_from date, quarantine_body_days integer, dropped boolean, apply boolean
) RETURNS TABLE(action text, target text, detail text) LANGUAGE plpgsql AS $fn$
DECLARE
  shred_before timestamptz := now() - make_interval(days => quarantine_body_days);
  keys_where text;
  col text;
  n bigint;
BEGIN
  IF dropped AND to_regclass('pii_vault') IS NOT NULL THEN
    LOCK TABLE pii_vault, vault_data_keys IN SHARE ROW EXCLUSIVE MODE;
    CREATE TEMPORARY TABLE IF NOT EXISTS login_etl_orphan_tokens(token varchar(64) COLLATE "C") ON COMMIT DROP;
    TRUNCATE login_etl_orphan_tokens;
    INSERT INTO login_etl_orphan_tokens
    SELECT v.token FROM pii_vault v
    WHERE NOT EXISTS (SELECT 1 FROM user_logins l WHERE l.masked_ip = v.token AND l.create_date >= keep_from)
      AND NOT EXISTS (SELECT 1 FROM user_logins l WHERE l.masked_device_id = v.token AND l.create_date >= keep_from);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
      IF apply THEN DELETE FROM pii_vault v WHERE v.token IN (SELECT o.token FROM login_etl_orphan_tokens o); END IF;
      action := 'delete_orphans'; target := 'pii_vault'; detail := format('%s sealed originals no kept row references', n);
      RETURN NEXT;
    END IF;
  END IF;

  SELECT count(*) INTO n FROM user_logins_quarantine q
  WHERE q.body_ciphertext IS NOT NULL AND q.quarantined_at < shred_before;
  IF n > 0 THEN
    IF apply THEN
      UPDATE user_logins_quarantine q
      SET body_ciphertext = NULL, body_nonce = NULL, body_dek_id = NULL, shredded_at = now()
      WHERE q.body_ciphertext IS NOT NULL AND q.quarantined_at < shred_before;
    END IF;
    action := 'shred_bodies'; target := 'user_logins_quarantine';
    detail := format('%s bodies quarantined before %s', n, shred_before::date);
    RETURN NEXT;
  END IF;

  IF NOT dropped AND n = 0 THEN
    RETURN;
  END IF;
  LOCK TABLE vault_data_keys IN SHARE ROW EXCLUSIVE MODE;
  keys_where := format('k.created_at < now() - interval %L
    AND NOT EXISTS (SELECT 1 FROM user_logins_quarantine q
                    WHERE q.body_dek_id = k.id AND q.body_ciphertext IS NOT NULL AND q.quarantined_at >= %L)',
    '1 day', shred_before);
  IF to_regclass('pii_vault') IS NOT NULL THEN
    keys_where := keys_where || ' AND NOT EXISTS (SELECT 1 FROM pii_vault v WHERE v.dek_id = k.id'
      || CASE WHEN dropped THEN ' AND v.token NOT IN (SELECT o.token FROM pg_temp.login_etl_orphan_tokens o)' ELSE '' END || ')';
  END IF;
  -- A row layout that seals originals inline names their data key in a uuid column of user_logins.
  FOR col IN SELECT a.attname FROM pg_attribute a
             WHERE a.attrelid = 'user_logins'::regclass AND a.attnum > 0 AND NOT a.attisdropped
               AND a.atttypid = 'uuid'::regtype AND (a.attname LIKE '%dek_id' OR a.attname LIKE '%data_key_id')
  LOOP
    keys_where := keys_where || format(' AND NOT EXISTS (SELECT 1 FROM user_logins l WHERE l.%I = k.id AND l.create_date >= %L)', col, keep_from);
  END LOOP;
  EXECUTE 'SELECT count(*) FROM vault_data_keys k WHERE ' || keys_where INTO n;
  IF n > 0 THEN
    IF apply THEN EXECUTE 'DELETE FROM vault_data_keys k WHERE ' || keys_where; END IF;
    action := 'delete_orphans'; target := 'vault_data_keys'; detail := format('%s data keys nothing references', n);
    RETURN NEXT;
  END IF;
END
$fn$;

CREATE OR REPLACE FUNCTION login_etl_maintain_v1(
  months_ahead integer, retention_months integer, quarantine_body_days integer, apply boolean
) RETURNS TABLE(action text, target text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '5s' AS $fn$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  this_month date := date_trunc('month', today)::date;
  keep_from date;
  dropped boolean := false;
  p record;
  n bigint;
BEGIN
  IF months_ahead IS NULL OR months_ahead NOT BETWEEN 1 AND 24
     OR retention_months IS NULL OR retention_months NOT BETWEEN 1 AND 1200
     OR quarantine_body_days IS NULL OR quarantine_body_days NOT BETWEEN 1 AND 365 OR apply IS NULL THEN
    RAISE EXCEPTION 'login_etl_maintain_v1: months_ahead 1..24, retention_months 1..1200, quarantine_body_days 1..365, apply true or false'
      USING ERRCODE = '22023';
  END IF;
  -- The first month kept: every month that ended more than retention_months ago goes.
  keep_from := date_trunc('month', today - make_interval(months => retention_months))::date;

  FOR p IN
    SELECT m.month, count(d.create_date) AS waiting
    FROM (SELECT generate_series(this_month, this_month + make_interval(months => months_ahead), interval '1 month')::date
          UNION
          SELECT DISTINCT date_trunc('month', d.create_date)::date FROM user_logins_default d WHERE d.create_date >= keep_from) AS m(month)
    LEFT JOIN user_logins_default d ON d.create_date >= m.month AND d.create_date < m.month + interval '1 month'
    WHERE NOT EXISTS (SELECT 1 FROM login_etl_month_partitions() e WHERE e.month = m.month)
    GROUP BY m.month ORDER BY m.month
  LOOP
    action := 'create_partition'; target := login_etl_partition_name(p.month);
    detail := format('%s to %s', p.month, (p.month + interval '1 month')::date);
    RETURN NEXT;
    n := p.waiting;
    IF apply THEN n := login_etl_add_month_partition(p.month); END IF;
    IF n > 0 THEN
      action := 'move_rows'; detail := format('%s rows from user_logins_default', n);
      RETURN NEXT;
    END IF;
  END LOOP;

  SELECT count(*) INTO n FROM user_logins_default d WHERE d.create_date < keep_from;
  IF n > 0 THEN
    IF apply THEN DELETE FROM user_logins_default d WHERE d.create_date < keep_from; END IF;
    action := 'delete_rows'; target := 'user_logins_default'; detail := format('%s rows dated before %s', n, keep_from);
    dropped := true;
    RETURN NEXT;
  END IF;

  FOR p IN SELECT * FROM login_etl_month_partitions() e WHERE e.next <= keep_from LOOP
    IF apply THEN
      EXECUTE format('ALTER TABLE user_logins DETACH PARTITION %I', p.part);
      EXECUTE format('DROP TABLE %I', p.part);
    END IF;
    action := 'drop_partition'; target := p.part;
    detail := format('%s to %s, about %s rows', p.month, p.next, p.rows_estimate);
    dropped := true;
    RETURN NEXT;
  END LOOP;

  RETURN QUERY SELECT * FROM login_etl_delete_orphans(keep_from, quarantine_body_days, dropped, apply);
END
$fn$;

REVOKE ALL ON FUNCTION login_etl_partition_name(date), login_etl_add_month_partition(date), login_etl_month_partitions(),
  login_etl_delete_orphans(date, integer, boolean, boolean), login_etl_maintain_v1(integer, integer, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION login_etl_maintain_v1(integer, integer, integer, boolean) TO login_etl_maintainer;

DO $pin$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.proname IN ('login_etl_partition_name', 'login_etl_add_month_partition', 'login_etl_month_partitions',
                                'login_etl_delete_orphans', 'login_etl_maintain_v1')
              AND p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
  END LOOP;
END
$pin$;

CREATE OR REPLACE FUNCTION login_etl_ensure_login(
  login text, member_of text, verifier text DEFAULT NULL, note text DEFAULT NULL
) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
  r pg_roles%ROWTYPE;
  fixes text;
  extra text;
BEGIN
  IF member_of NOT IN ('login_etl_writer', 'login_etl_operator', 'login_etl_maintainer') THEN
    RAISE EXCEPTION 'login % may only join login_etl_writer, login_etl_operator or login_etl_maintainer, not %', login, member_of;
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
SELECT login_etl_ensure_login('login_etl_maintenance', 'login_etl_maintainer');
`;
