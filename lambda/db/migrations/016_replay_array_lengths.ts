/**
 * The replay functions check the length of every array they are given.
 * Before, login_etl_replay_v2 (migration 15) and login_etl_replay_v1
 * (migration 13) checked only the login message ids (one) and the first
 * quarantine array (none); unnest pads shorter arrays with NULLs, so a
 * direct call with three-element login arrays and one message id landed
 * three login rows as the functions' owner under one audit row. Now every
 * login array must hold exactly one element, every quarantine array none
 * (v1: its vault arrays the login's two values), else the call raises
 * 22023 and changes nothing. Same signatures, so owner and EXECUTE grants
 * stay; CREATE OR REPLACE resets SET clauses, so search_path is pinned
 * again as before.
 */
export const sql = `
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
  IF EXISTS (SELECT FROM unnest(ARRAY[cardinality($18), cardinality($19), cardinality($20), cardinality($21),
                                       cardinality($22), cardinality($23), cardinality($24), cardinality($25),
                                       cardinality($26), cardinality($27), cardinality($28)]) AS c(n)
             WHERE n IS DISTINCT FROM 1)
     OR EXISTS (SELECT FROM unnest(ARRAY[cardinality($9), cardinality($10), cardinality($11), cardinality($12),
                                         cardinality($13), cardinality($14), cardinality($15), cardinality($16),
                                         cardinality($17), cardinality($29)]) AS c(n)
                WHERE n IS DISTINCT FROM 0)
     OR EXISTS (SELECT FROM unnest(ARRAY[cardinality($4), cardinality($5), cardinality($6), cardinality($7),
                                         cardinality($8)]) AS c(n)
                WHERE n IS DISTINCT FROM 2) THEN
    RAISE EXCEPTION 'login_etl_replay_v1 lands exactly one login and writes no quarantine row: every login array holds one element, every vault array two, every quarantine array none'
      USING ERRCODE = '22023';
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
  IF EXISTS (SELECT FROM unnest(ARRAY[cardinality($14), cardinality($15), cardinality($16), cardinality($17),
                                       cardinality($18), cardinality($19), cardinality($20), cardinality($21),
                                       cardinality($22), cardinality($23), cardinality($24), cardinality($25)]) AS c(n)
             WHERE n IS DISTINCT FROM 1)
     OR EXISTS (SELECT FROM unnest(ARRAY[cardinality($4), cardinality($5), cardinality($6), cardinality($7),
                                         cardinality($8), cardinality($9), cardinality($10), cardinality($11),
                                         cardinality($12), cardinality($13)]) AS c(n)
                WHERE n IS DISTINCT FROM 0) THEN
    RAISE EXCEPTION 'login_etl_replay_v2 lands exactly one login and writes no quarantine row: every login array holds one element, every quarantine array none'
      USING ERRCODE = '22023';
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

DO $pin$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.proname IN ('login_etl_replay_v1', 'login_etl_replay_v2') AND p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
  END LOOP;
END
$pin$;
`;
