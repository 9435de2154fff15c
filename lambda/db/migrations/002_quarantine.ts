/**
 * Permanently bad messages: kept, with a reason, and their body sealed with
 * the vault's envelope encryption (a body that failed validation may hold PII
 * anywhere, so nothing of it is stored in the clear but a typed preview).
 */
export const sql = `
CREATE TABLE IF NOT EXISTS user_logins_quarantine(
    message_id      varchar(128) PRIMARY KEY,
    reason          varchar(32)  NOT NULL,
    detail          text         NOT NULL,
    preview         jsonb,
    body_dek_id     uuid,
    body_nonce      bytea,
    body_ciphertext bytea,
    key_version     varchar(16),
    sent_at         timestamptz,
    receive_count   integer,
    quarantined_at  timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS user_logins_quarantine_reason_idx ON user_logins_quarantine (reason, quarantined_at);
`;
