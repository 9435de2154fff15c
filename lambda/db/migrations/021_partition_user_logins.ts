/**
 * user_logins becomes range-partitioned by month on create_date (the UTC
 * date of the message's SentTimestamp, the same on every redelivery), with a
 * DEFAULT partition so that no write ever fails for lack of a partition.
 * Maintenance (migration 20) creates the months ahead, moves rows out of the
 * default partition and drops months past retention.
 *
 * No ALTER converts a table, so: the old table is renamed, a partitioned
 * table is made LIKE it (every column, default, constraint, comment and
 * storage setting, whatever columns it has by now), with the default
 * partition and one partition per month for this month, three months back
 * and three ahead (the default PARTITION_MONTHS_AHEAD when this was written;
 * the text of a migration never changes) and every month its rows need; the
 * rows are copied, the old table dropped, and its indexes, owner and grants
 * (table and column grants, to the same roles) applied to the new one. Every
 * index is created on the parent after the copy, so each partition builds its
 * own in one pass. A unique index gains create_date as its last column (a
 * partitioned table's unique keys must contain the partition key):
 * (message_id) becomes (message_id, create_date), the write's conflict
 * target. That holds redelivery to no duplicate because create_date comes
 * from the SentTimestamp, which redrive carries over
 * (lambda/pipeline/idempotency-key.ts).
 *
 * create_date becomes NOT NULL: a row must belong to a partition. Legacy rows
 * without one (loaded before login-etl, or by hand) take the UTC date of
 * sent_at, else of ingested_at, their best known date.
 *
 * The whole conversion holds an ACCESS EXCLUSIVE lock on user_logins: writes
 * wait (their messages stay on the queue) and the migrator's lock_timeout
 * decides how long it waits to get it. Its statement timeout is raised for
 * the copy; docs/operations.md gives its duration per million rows.
 *
 * The writer gains SELECT on create_date: an ON CONFLICT arbiter's columns
 * must be readable (42501 otherwise); a date, readable by analysts too.
 *
 * The batch write's conflict target follows (lambda/db/write-spec.ts):
 * login_etl_write_v4 is login_etl_write_v3 (migration 15) with ON CONFLICT
 * (message_id, create_date) for the login rows. Every earlier
 * login_etl_write_vN gets the same target in place, since with the old one it
 * fails on the partitioned table: sandboxes still running the previous code,
 * and replay's functions (login_etl_replay_v1 and v2 call v2 and v3), keep
 * writing during a deploy.
 */
export const sql = `
DO $convert$
DECLARE
  this_month date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  idx record;
  g record;
  def text;
  owner_name name;
  table_comment text;
  month date;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'user_logins'::regclass) THEN
    RETURN;
  END IF;
  LOCK TABLE user_logins IN ACCESS EXCLUSIVE MODE;
  UPDATE user_logins SET create_date = (coalesce(sent_at, ingested_at) AT TIME ZONE 'UTC')::date WHERE create_date IS NULL;

  CREATE TEMPORARY TABLE login_etl_old_indexes ON COMMIT DROP AS
  SELECT pg_get_indexdef(i.indexrelid) AS def, i.indisunique AS is_unique,
         i.indexprs IS NULL AND i.indpred IS NULL AS plain,
         EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = 'create_date'
                 AND a.attnum = ANY (i.indkey::int2[])) AS has_key
  FROM pg_index i WHERE i.indrelid = 'user_logins'::regclass;
  CREATE TEMPORARY TABLE login_etl_old_grants ON COMMIT DROP AS
  SELECT NULL::name AS col, a.privilege_type, a.grantee, a.is_grantable
  FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = 'user_logins'::regclass AND a.grantee <> c.relowner
  UNION ALL
  SELECT t.attname, a.privilege_type, a.grantee, a.is_grantable
  FROM pg_attribute t, aclexplode(t.attacl) a
  WHERE t.attrelid = 'user_logins'::regclass AND t.attnum > 0 AND NOT t.attisdropped;
  SELECT pg_get_userbyid(relowner), obj_description(oid, 'pg_class') INTO owner_name, table_comment
  FROM pg_class WHERE oid = 'user_logins'::regclass;

  ALTER TABLE user_logins RENAME TO user_logins_unpartitioned;
  CREATE TABLE user_logins (LIKE user_logins_unpartitioned INCLUDING ALL EXCLUDING INDEXES) PARTITION BY RANGE (create_date);
  ALTER TABLE user_logins ALTER COLUMN create_date SET NOT NULL;
  CREATE TABLE user_logins_default PARTITION OF user_logins DEFAULT;
  FOR month IN
    SELECT generate_series(this_month - interval '3 months', this_month + interval '3 months', interval '1 month')::date
    UNION
    SELECT DISTINCT date_trunc('month', create_date)::date FROM user_logins_unpartitioned
    ORDER BY 1
  LOOP
    PERFORM login_etl_add_month_partition(month);
  END LOOP;
  INSERT INTO user_logins SELECT * FROM user_logins_unpartitioned;
  DROP TABLE user_logins_unpartitioned;

  FOR idx IN SELECT * FROM login_etl_old_indexes LOOP
    def := idx.def;
    IF idx.is_unique AND NOT idx.has_key THEN
      IF NOT idx.plain OR def ~ ' INCLUDE \\(' OR def !~ '\\)$' THEN
        RAISE EXCEPTION 'unique index "%" cannot take create_date as its last column: convert it by hand', def;
      END IF;
      def := regexp_replace(def, '\\)$', ', create_date)');
    END IF;
    EXECUTE def;
  END LOOP;
  EXECUTE format('ALTER TABLE user_logins OWNER TO %I', owner_name);
  IF table_comment IS NOT NULL THEN
    EXECUTE format('COMMENT ON TABLE user_logins IS %L', table_comment);
  END IF;
  FOR g IN SELECT * FROM login_etl_old_grants LOOP
    EXECUTE format('GRANT %s%s ON user_logins TO %s%s', g.privilege_type,
                   CASE WHEN g.col IS NULL THEN '' ELSE format(' (%I)', g.col) END,
                   CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(g.grantee)) END,
                   CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;
END
$convert$;
ANALYZE user_logins;
GRANT SELECT (create_date) ON user_logins TO login_etl_writer;

DO $write$
DECLARE
  fn regprocedure;
  def text;
  keyed text;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.proname ~ '^login_etl_write_v[0-9]+$' AND p.pronamespace = current_schema()::regnamespace
            ORDER BY p.proname
  LOOP
    def := pg_get_functiondef(fn);
    -- The conflict clause of the insert into user_logins (not the quarantine's, which keeps its key).
    keyed := regexp_replace(def, '(INSERT INTO user_logins\\s*\\n[^;]*?)ON CONFLICT \\(message_id\\) DO NOTHING',
                            '\\1ON CONFLICT (message_id, create_date) DO NOTHING');
    IF keyed = def THEN
      RAISE EXCEPTION 'function % has no insert into user_logins on conflict (message_id) for this migration to re-key', fn;
    END IF;
    EXECUTE keyed;
    IF fn::text LIKE '%login_etl_write_v3(%' THEN
      EXECUTE replace(keyed, '.login_etl_write_v3(', '.login_etl_write_v4(');
    END IF;
  END LOOP;
END
$write$;
REVOKE ALL ON FUNCTION login_etl_write_v4 FROM PUBLIC;
GRANT EXECUTE ON FUNCTION login_etl_write_v4 TO login_etl_writer;
`;
