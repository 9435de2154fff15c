/**
 * The batch write as a server-side function: the statement below, called by
 * lambda/db/login-store.ts (WRITE_SQL) with its 28 array parameters. PL/pgSQL
 * keeps the statement parsed and planned in each backend, where a small batch
 * would otherwise spend more server time planning it than writing its rows
 * (docs/performance.md). A prepared statement would cache the plan too, but a
 * named prepared statement pins the client's RDS Proxy session to one
 * backend; a function's plan lives in the backend, so the proxy goes on
 * multiplexing.
 * The version in the name is the contract with deployed code: a change to
 * the statement is a new function (login_etl_write_v2) in a new migration, so
 * sandboxes still running the previous code keep theirs during a deploy.
 * SECURITY INVOKER (the default): the caller's privileges apply, as they did
 * to the statement; only login_etl_writer may call it.
 *
 * The statement: data key, vault entries, quarantine rows and login rows, each
 * an INSERT … SELECT FROM unnest(arrays) in a data-modifying CTE: one round
 * trip and one implicit transaction. ON CONFLICT DO NOTHING on every natural
 * key makes a redelivered batch a no-op. Vault entries go in only for the
 * login rows this statement inserted: a redelivered message of a user erased
 * since its first delivery is a duplicate row, and must not bring the user's
 * sealed originals back (see docs/pii.md). They go in in token order: two
 * batches that share values (the same ip in two sandboxes) then take their row
 * locks in the same order and wait for each other instead of deadlocking
 * (40P01, which fails a whole batch). Login and
 * quarantine rows keep event order (the first row Postgres rejects decides how
 * a bad batch is bisected, which matters on FIFO queues). It returns the login
 * message ids it did NOT insert (duplicates: usually none, so the reply stays
 * small whatever the batch size) and the quarantine ids it did.
 */
export const sql = `
CREATE OR REPLACE FUNCTION login_etl_write_v1(
  uuid, text, bytea, varchar[], varchar[], varchar[], bytea[],
  bytea[], varchar[], varchar[], text[], jsonb[], bytea[], bytea[],
  varchar[], timestamptz[], int[], varchar[], varchar[], varchar[], varchar[],
  varchar[], int[], date[], varchar[], varchar[], varchar[], timestamptz[]
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
       key_version, sent_at, receive_count)
    SELECT q.message_id, q.reason, q.detail, q.preview, $1::uuid, q.nonce, q.ciphertext,
           q.key_version, q.sent_at, q.receive_count
    FROM unnest($9::varchar[], $10::varchar[], $11::text[], $12::jsonb[], $13::bytea[], $14::bytea[],
                $15::varchar[], $16::timestamptz[], $17::int[])
         AS q(message_id, reason, detail, preview, nonce, ciphertext, key_version, sent_at, receive_count)
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
REVOKE ALL ON FUNCTION login_etl_write_v1 FROM PUBLIC;
GRANT EXECUTE ON FUNCTION login_etl_write_v1 TO login_etl_writer;
`;
