/**
 * Replay (npm run replay): an operator unseals a quarantined body (their
 * kms:Decrypt), runs it through the pipeline's own code, and either lands it
 * or records why it still fails. The operator role gets no write grant on
 * user_logins or the vault for it, and no membership of the writer: it may
 * EXECUTE these two functions, which run as their owner (the migration's
 * admin, SECURITY DEFINER, search_path pinned with pg_temp last) and do only
 * this, one message per call:
 *
 * login_etl_replay_v1 takes the batch write's 29 arguments (one login, no
 * quarantine row) plus who states they act and why. It locks the message's
 * quarantine row, which must still hold a sealed body under the data key the
 * call names (replay seals the login's values under the key of its body: an
 * operator cannot make data keys); the login must keep the time its message
 * was sent (erasure decides by it, so a replayed row cannot be re-dated
 * past an erasure). It then calls login_etl_write_v2, the pipeline's write,
 * deletes the quarantine row now that the login row is there (inserted, or
 * already present), and writes the audit row: all or nothing, in the
 * caller's transaction. A row Postgres refuses raises as it does for the
 * pipeline, and nothing changes.
 *
 * login_etl_requarantine_v1 gives a message that fails again its new reason
 * and detail, in place (message id, body, preview and dates stay), with its
 * audit row.
 *
 * Both write that row through login_etl_audit_replay, which runs with its
 * caller's rights and which nobody may call directly.
 *
 * What the database cannot check: that the login is what the body holds (it
 * has no key). The audit row of each call names the login that made it.
 */
export const sql = `
CREATE OR REPLACE FUNCTION login_etl_audit_replay(
  in_message_id varchar, in_outcome text, in_stated_operator text, in_why text
) RETURNS bigint LANGUAGE sql AS $audit$
  INSERT INTO pii_unmask_audit (stated_operator, subject_kind, subject, reason, outcome, values_returned)
  VALUES (in_stated_operator, 'message_id', in_message_id, in_why, in_outcome, 0)
  RETURNING id;
$audit$;

CREATE OR REPLACE FUNCTION login_etl_replay_v1(
  uuid, text, bytea, varchar[], varchar[], varchar[], bytea[],
  bytea[], varchar[], varchar[], text[], jsonb[], bytea[], bytea[],
  varchar[], timestamptz[], int[], varchar[], varchar[], varchar[], varchar[],
  varchar[], int[], date[], varchar[], varchar[], varchar[], timestamptz[], varchar[],
  in_stated_operator text, in_why text
) RETURNS TABLE(out_outcome text, out_audit_id bigint) LANGUAGE plpgsql SECURITY DEFINER AS $replay$
DECLARE
  m varchar := $25[1];
  sent timestamptz;
BEGIN
  IF cardinality($25) IS DISTINCT FROM 1 OR cardinality($9) IS DISTINCT FROM 0 THEN
    RAISE EXCEPTION 'login_etl_replay_v1 lands exactly one login and writes no quarantine row';
  END IF;
  SELECT date_trunc('milliseconds', coalesce(q.sent_at, q.quarantined_at)) INTO sent
  FROM user_logins_quarantine q
  WHERE q.message_id = m AND q.body_ciphertext IS NOT NULL AND q.body_dek_id = $1
    AND EXISTS (SELECT 1 FROM vault_data_keys k WHERE k.id = $1)
  FOR UPDATE OF q;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'message % is not quarantined with a sealed body under data key %', m, $1;
  END IF;
  IF $28[1] IS DISTINCT FROM sent OR $24[1] IS DISTINCT FROM (sent AT TIME ZONE 'UTC')::date THEN
    RAISE EXCEPTION 'message %: a replayed login keeps the time its message was sent', m;
  END IF;
  PERFORM 1 FROM login_etl_write_v2($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                                    $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29);
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

CREATE OR REPLACE FUNCTION login_etl_requarantine_v1(
  in_message_id varchar, in_reason varchar, in_detail text, in_stated_operator text, in_why text
) RETURNS TABLE(out_outcome text, out_audit_id bigint) LANGUAGE plpgsql SECURITY DEFINER AS $requarantine$
BEGIN
  UPDATE user_logins_quarantine q SET reason = in_reason, detail = in_detail
  WHERE q.message_id = in_message_id AND q.body_ciphertext IS NOT NULL;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'message % is not quarantined with a sealed body', in_message_id;
  END IF;
  out_outcome := 'still_quarantined';
  out_audit_id := login_etl_audit_replay(in_message_id, out_outcome, in_stated_operator, in_why);
  RETURN NEXT;
END
$requarantine$;

REVOKE ALL ON FUNCTION login_etl_audit_replay, login_etl_replay_v1, login_etl_requarantine_v1 FROM PUBLIC;
GRANT EXECUTE ON FUNCTION login_etl_replay_v1, login_etl_requarantine_v1 TO login_etl_operator;

DO $pin$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.proname IN ('login_etl_audit_replay', 'login_etl_replay_v1', 'login_etl_requarantine_v1') AND p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
  END LOOP;
END
$pin$;
`;
