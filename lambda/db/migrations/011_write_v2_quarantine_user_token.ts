/**
 * Quarantined bodies carry their user's identity in a form forget can match
 * and nobody can read: user_token, the masking-key token of the body's
 * user_id (kind user_id), for every body that parsed as a JSON object with a
 * string user_id, whatever else was wrong with it, and for logins Postgres
 * refused. Analysts are granted the quarantine's columns by name
 * (migration 4), so they do not see it; the writer inserts it, the operator
 * reads it.
 *
 * The batch write gains that one column: a new function, login_etl_write_v2
 * (same statement as v1 but the quarantine's user_token, parameter 29), as
 * migration 8 says a change to the statement must be, so that sandboxes
 * still running v1 keep it during a deploy. Both pin their search_path to
 * pg_catalog, then the schema the tables are in, then pg_temp last: a caller's
 * search_path (another schema first, a temporary table named like ours)
 * cannot redirect what the write inserts into or which functions it calls.
 * PL/pgSQL still caches each statement's plan per backend (the path is the
 * same on every call, so no plan is invalidated). No login may create objects
 * in the schema: PostgreSQL 15 made that the default; older servers get it
 * here.
 */
export const sql = `
ALTER TABLE user_logins_quarantine ADD COLUMN IF NOT EXISTS user_token varchar(64) COLLATE "C";
CREATE INDEX IF NOT EXISTS user_logins_quarantine_user_token_idx
  ON user_logins_quarantine (user_token) WHERE user_token IS NOT NULL;

CREATE OR REPLACE FUNCTION login_etl_write_v2(
  uuid, text, bytea, varchar[], varchar[], varchar[], bytea[],
  bytea[], varchar[], varchar[], text[], jsonb[], bytea[], bytea[],
  varchar[], timestamptz[], int[], varchar[], varchar[], varchar[], varchar[],
  varchar[], int[], date[], varchar[], varchar[], varchar[], timestamptz[], varchar[]
) RETURNS TABLE(out_kind text, out_message_id varchar) LANGUAGE plpgsql AS $write$
BEGIN
  RETURN QUERY
  WITH data_key AS (
    INSERT INTO vault_data_keys (id, kek_id, wrapped_key)
    VALUES ($1::uuid, $2, $3::bytea)
    ON CONFLICT (id) DO NOTHING
  ), quarantined AS (
    INSERT INTO user_logins_quarantine
      (message_id, reason, detail, preview, body_dek_id, body_nonce, body_ciphertext,
       key_version, sent_at, receive_count, user_token)
    SELECT q.message_id, q.reason, q.detail, q.preview, $1::uuid, q.nonce, q.ciphertext,
           q.key_version, q.sent_at, q.receive_count, q.user_token
    FROM unnest($9::varchar[], $10::varchar[], $11::text[], $12::jsonb[], $13::bytea[], $14::bytea[],
                $15::varchar[], $16::timestamptz[], $17::int[], $29::varchar[])
         AS q(message_id, reason, detail, preview, nonce, ciphertext, key_version, sent_at, receive_count, user_token)
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
  ), written AS (
    INSERT INTO user_logins
      (user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
       message_id, app_version_text, key_version, sent_at)
    SELECT * FROM unnest($18::varchar[], $19::varchar[], $20::varchar[], $21::varchar[], $22::varchar[],
                         $23::int[], $24::date[], $25::varchar[], $26::varchar[], $27::varchar[],
                         $28::timestamptz[])
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id, masked_ip, masked_device_id
  ), vault AS (
    INSERT INTO pii_vault (token, kind, key_version, dek_id, nonce, ciphertext)
    SELECT v.token, v.kind, v.key_version, $1::uuid, v.nonce, v.ciphertext
    FROM unnest($4::varchar[], $5::varchar[], $6::varchar[], $7::bytea[], $8::bytea[])
         AS v(token, kind, key_version, nonce, ciphertext)
    WHERE v.token IN (SELECT masked_ip FROM written UNION ALL SELECT masked_device_id FROM written)
    ORDER BY v.token
    ON CONFLICT (token) DO NOTHING
  )
  SELECT 'd' AS k, m.message_id FROM unnest($25::varchar[]) AS m(message_id)
  WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.message_id = m.message_id)
  UNION ALL
  SELECT 'q' AS k, message_id FROM quarantined;
END
$write$;
REVOKE ALL ON FUNCTION login_etl_write_v2 FROM PUBLIC;
GRANT EXECUTE ON FUNCTION login_etl_write_v2 TO login_etl_writer;

DO $pin$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.proname IN ('login_etl_write_v1', 'login_etl_write_v2') AND p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
  END LOOP;
  EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC', current_schema());
END
$pin$;
`;
