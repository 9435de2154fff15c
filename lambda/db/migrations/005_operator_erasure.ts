/**
 * Erasure support: `forget` blanks the sealed bodies of a forgotten user's
 * quarantined messages, and looks up earlier "forgotten" facts in the audit.
 */
export const sql = `
GRANT UPDATE (body_dek_id, body_nonce, body_ciphertext) ON user_logins_quarantine TO login_etl_operator;
CREATE INDEX IF NOT EXISTS pii_unmask_audit_subject_idx ON pii_unmask_audit (subject_kind, outcome, subject);
`;
