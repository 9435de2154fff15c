/**
 * login_etl_write_v3: the batch write with the originals inline (migration
 * 14). lambda/db/write-spec.ts lists its parameters, in this order, and
 * test/integration/write-spec.test.ts checks the two against each other.
 * The same single statement as v2, leaner: the data key, the quarantine rows
 * and the login rows, each an INSERT … SELECT FROM unnest(arrays) in a
 * data-modifying CTE, ON CONFLICT DO NOTHING on each natural key, rows in
 * event order; no vault, so no lock shared with another batch. It reports
 * the login message ids it did not insert (duplicates) and the quarantine
 * ids it did, as v2 does. SECURITY INVOKER, search_path pinned, EXECUTE for
 * login_etl_writer only, as v2.
 *
 * login_etl_replay_v2: login_etl_replay_v1 (migration 13) for v3's
 * arguments; v1 stays for replay tools deployed before this.
 */
export const sql = `
CREATE OR REPLACE FUNCTION login_etl_write_v3(
  uuid, text, bytea,
  varchar[], varchar[], text[], jsonb[], bytea[], bytea[], varchar[], timestamptz[], int[], varchar[],
  varchar[], varchar[], varchar[], varchar[], varchar[], int[], date[], varchar[], varchar[], varchar[],
  timestamptz[], bytea[]
) RETURNS TABLE(out_kind text, out_message_id varchar) LANGUAGE plpgsql AS $write$
BEGIN
  RETURN QUERY
  WITH data_key AS (
    INSERT INTO vault_data_keys (id, kek_id, wrapped_key)
    VALUES ($1, $2, $3)
    ON CONFLICT (id) DO NOTHING
  ), quarantined AS (
    INSERT INTO user_logins_quarantine
      (body_dek_id, message_id, reason, detail, preview, body_nonce, body_ciphertext,
       key_version, sent_at, receive_count, user_token)
    SELECT $1, q.* FROM unnest($4, $5, $6, $7, $8, $9, $10, $11, $12, $13) AS q
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
  ), written AS (
    INSERT INTO user_logins
      (pii_dek_id, user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
       message_id, app_version_text, key_version, sent_at, pii_sealed)
    SELECT $1, l.* FROM unnest($14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) AS l
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
  )
  SELECT 'd'::text, m.message_id FROM unnest($21) AS m(message_id)
  WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.message_id = m.message_id)
  UNION ALL
  SELECT 'q'::text, w.message_id FROM quarantined w;
END
$write$;
REVOKE ALL ON FUNCTION login_etl_write_v3 FROM PUBLIC;
GRANT EXECUTE ON FUNCTION login_etl_write_v3 TO login_etl_writer;

CREATE OR REPLACE FUNCTION login_etl_replay_v2(
  uuid, text, bytea,
  varchar[], varchar[], text[], jsonb[], bytea[], bytea[], varchar[], timestamptz[], int[], varchar[],
  varchar[], varchar[], varchar[], varchar[], varchar[], int[], date[], varchar[], varchar[], varchar[],
  timestamptz[], bytea[],
  in_stated_operator text, in_why text
) RETURNS TABLE(out_outcome text, out_audit_id bigint) LANGUAGE plpgsql SECURITY DEFINER AS $replay$
DECLARE
  m varchar := $21[1];
  sent timestamptz;
BEGIN
  IF cardinality($21) IS DISTINCT FROM 1 OR cardinality($4) IS DISTINCT FROM 0 THEN
    RAISE EXCEPTION 'login_etl_replay_v2 lands exactly one login and writes no quarantine row';
  END IF;
  SELECT date_trunc('milliseconds', coalesce(q.sent_at, q.quarantined_at)) INTO sent
  FROM user_logins_quarantine q
  WHERE q.message_id = m AND q.body_ciphertext IS NOT NULL AND q.body_dek_id = $1
    AND EXISTS (SELECT 1 FROM vault_data_keys k WHERE k.id = $1)
  FOR UPDATE OF q;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'message % is not quarantined with a sealed body under data key %', m, $1;
  END IF;
  IF $24[1] IS DISTINCT FROM sent OR $20[1] IS DISTINCT FROM (sent AT TIME ZONE 'UTC')::date THEN
    RAISE EXCEPTION 'message %: a replayed login keeps the time its message was sent', m;
  END IF;
  PERFORM 1 FROM login_etl_write_v3($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                                    $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25);
  DELETE FROM user_logins_quarantine q
  WHERE q.message_id = m AND EXISTS (SELECT 1 FROM user_logins l WHERE l.message_id = m);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'message % did not land', m;
  END IF;
  out_outcome := 'replayed';
  out_audit_id := login_etl_audit_replay(m, out_outcome, in_stated_operator, in_why);
  RETURN NEXT;
END
$replay$;
REVOKE ALL ON FUNCTION login_etl_replay_v2 FROM PUBLIC;
GRANT EXECUTE ON FUNCTION login_etl_replay_v2 TO login_etl_operator;

DO $pin$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.proname IN ('login_etl_write_v3', 'login_etl_replay_v2') AND p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
  END LOOP;
END
$pin$;
`;
