/**
 * Least-privilege group roles (NOLOGIN): grant them to real login users.
 * - login_etl_writer: the pipeline. Inserts everywhere it writes; may read only
 *   the key columns that ON CONFLICT and RETURNING need, never vault ciphertext.
 * - login_etl_analyst: reads the masked tables only.
 * - login_etl_operator: unmask/forget tools: reads the vault, writes audit and erasures.
 * Roles are cluster-wide and several databases may migrate at once, hence the
 * duplicate_object guard.
 */
export const sql = `
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['login_etl_writer', 'login_etl_analyst', 'login_etl_operator'] LOOP
    BEGIN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
  END LOOP;
END
$$;
GRANT USAGE ON SCHEMA public TO login_etl_writer, login_etl_analyst, login_etl_operator;

GRANT INSERT ON user_logins, user_logins_quarantine, pii_vault, vault_data_keys TO login_etl_writer;
GRANT SELECT (message_id) ON user_logins, user_logins_quarantine TO login_etl_writer;
GRANT SELECT (token) ON pii_vault TO login_etl_writer;
GRANT SELECT (id) ON vault_data_keys TO login_etl_writer;

GRANT SELECT ON user_logins TO login_etl_analyst;
GRANT SELECT (message_id, reason, detail, preview, key_version, sent_at, receive_count, quarantined_at)
  ON user_logins_quarantine TO login_etl_analyst;

GRANT SELECT ON user_logins, user_logins_quarantine, pii_vault, vault_data_keys, pii_erasures, pii_unmask_audit
  TO login_etl_operator;
GRANT DELETE ON pii_vault TO login_etl_operator;
GRANT INSERT ON pii_erasures, pii_unmask_audit TO login_etl_operator;
GRANT USAGE ON SEQUENCE pii_unmask_audit_id_seq TO login_etl_operator;
`;
