/**
 * The originals move from the shared vault into their login rows: each row
 * holds its own sealed originals (pii_sealed) and the id of the data key
 * they are sealed under (pii_dek_id). Concurrent batches then share no row
 * (no lock waits on a value two sandboxes both saw), a write is one INSERT
 * per row, and erasure clears a user's own rows. No foreign key to
 * vault_data_keys: it would cost a look-up per row written; every write
 * inserts its data key's row in the same statement (or just before a COPY).
 *
 * pii_sealed's first byte says its form (lambda/vault/sealed-originals.ts):
 * 1: one AES-256-GCM seal of all the row's originals (pii-fields.ts order,
 * NUL-separated) under pii_dek_id, bound to the row's message id; what the
 * pipeline writes from login_etl_write_v3 (migration 15) on.
 * 0: the vault's own per-value seals, moved as they were (the migration has
 * no key to seal anew): per personal field, its data key id, nonce, length
 * and ciphertext, each still bound to "kind:token".
 *
 * The move: every live row (its user not forgotten at or after it was sent,
 * as forgotten-users.ts decides) whose two values the vault holds gets them
 * in form 0; a forgotten user's rows get nothing back; the vault is then
 * emptied. login_etl_write_v2 stays callable (code deployed before this
 * migration runs calls it until the deploy ends) but now writes form 0
 * into the row from the same arguments instead of writing the vault. The
 * writer loses its vault grants and the token columns it read for the vault
 * filter; analysts are granted user_logins' columns by name, the sealed
 * ones excepted; operators may clear the sealed ones (forget).
 * docs/operations.md gives how long the move takes per million rows.
 */
export const sql = `
SET LOCAL statement_timeout = 0;
ALTER TABLE user_logins
  ADD COLUMN IF NOT EXISTS pii_dek_id uuid,
  ADD COLUMN IF NOT EXISTS pii_sealed bytea;
COMMENT ON COLUMN user_logins.pii_sealed IS 'the row''s originals, sealed (form byte 1: one seal under pii_dek_id; 0: per-value seals moved from pii_vault); NULL once forgotten';
COMMENT ON COLUMN user_logins.pii_dek_id IS 'vault_data_keys.id of the key pii_sealed is sealed under';

UPDATE user_logins l
SET pii_dek_id = ip.dek_id,
    pii_sealed = '\\x00'::bytea
      || uuid_send(ip.dek_id) || ip.nonce || int4send(length(ip.ciphertext)) || ip.ciphertext
      || uuid_send(dv.dek_id) || dv.nonce || int4send(length(dv.ciphertext)) || dv.ciphertext
FROM pii_vault ip, pii_vault dv
WHERE ip.token = l.masked_ip AND ip.kind = 'ip'
  AND dv.token = l.masked_device_id AND dv.kind = 'device_id'
  AND l.pii_sealed IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM pii_unmask_audit a
    WHERE a.subject_kind = 'user_id' AND a.outcome = 'forgotten' AND a.subject = l.user_id
      AND a.requested_at >= coalesce(l.sent_at, l.ingested_at));
DELETE FROM pii_vault;

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
  ), vault AS (
    SELECT v.token, v.kind, v.nonce, v.ciphertext
    FROM unnest($4::varchar[], $5::varchar[], $7::bytea[], $8::bytea[]) AS v(token, kind, nonce, ciphertext)
  ), written AS (
    INSERT INTO user_logins
      (user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
       message_id, app_version_text, key_version, sent_at, pii_dek_id, pii_sealed)
    SELECT l.*, $1::uuid,
           (SELECT '\\x00'::bytea
                   || uuid_send($1::uuid) || ip.nonce || int4send(length(ip.ciphertext)) || ip.ciphertext
                   || uuid_send($1::uuid) || dv.nonce || int4send(length(dv.ciphertext)) || dv.ciphertext
            FROM vault ip, vault dv
            WHERE ip.kind = 'ip' AND ip.token = l.masked_ip AND dv.kind = 'device_id' AND dv.token = l.masked_device_id
            LIMIT 1)
    FROM unnest($18::varchar[], $19::varchar[], $20::varchar[], $21::varchar[], $22::varchar[],
                $23::int[], $24::date[], $25::varchar[], $26::varchar[], $27::varchar[], $28::timestamptz[])
         AS l(user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
              message_id, app_version_text, key_version, sent_at)
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
  )
  SELECT 'd' AS k, m.message_id FROM unnest($25::varchar[]) AS m(message_id)
  WHERE NOT EXISTS (SELECT 1 FROM written w WHERE w.message_id = m.message_id)
  UNION ALL
  SELECT 'q' AS k, message_id FROM quarantined;
END
$write$;

REVOKE INSERT ON pii_vault FROM login_etl_writer;
REVOKE SELECT (token) ON pii_vault FROM login_etl_writer;
REVOKE SELECT (masked_ip, masked_device_id) ON user_logins FROM login_etl_writer;
REVOKE SELECT ON user_logins FROM login_etl_analyst;
GRANT SELECT (user_id, device_type, masked_ip, masked_device_id, locale, app_version, create_date,
              message_id, app_version_text, key_version, sent_at, ingested_at)
  ON user_logins TO login_etl_analyst;
GRANT UPDATE (pii_dek_id, pii_sealed) ON user_logins TO login_etl_operator;

DO $pin$
DECLARE
  fn regprocedure;
BEGIN
  FOR fn IN SELECT p.oid::regprocedure FROM pg_proc p
            WHERE p.proname = 'login_etl_write_v2' AND p.pronamespace = current_schema()::regnamespace
  LOOP
    EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
  END LOOP;
END
$pin$;
`;
