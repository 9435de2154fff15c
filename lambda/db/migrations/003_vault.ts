/**
 * The PII vault: one sealed original per distinct token (AES-256-GCM under a
 * data key, the data key wrapped by a key-encryption key held outside the
 * database). Audit and erasure records live beside it.
 */
export const sql = `
CREATE TABLE IF NOT EXISTS vault_data_keys(
    id          uuid PRIMARY KEY,
    kek_id      text        NOT NULL,
    wrapped_key bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS pii_vault(
    token       varchar(64) PRIMARY KEY,
    kind        varchar(16) NOT NULL CHECK (kind IN ('ip', 'device_id')),
    key_version varchar(16) NOT NULL,
    dek_id      uuid        NOT NULL REFERENCES vault_data_keys(id),
    nonce       bytea       NOT NULL,
    ciphertext  bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS pii_erasures(
    token        varchar(64) PRIMARY KEY,
    kind         varchar(16) NOT NULL,
    user_id      varchar(128) NOT NULL,
    requested_by text        NOT NULL,
    reason       text        NOT NULL,
    erased_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS pii_unmask_audit(
    id           bigserial PRIMARY KEY,
    requested_by text        NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    subject_kind varchar(32) NOT NULL,
    subject      text        NOT NULL,
    reason       text        NOT NULL,
    outcome      varchar(32) NOT NULL,
    values_returned integer  NOT NULL DEFAULT 0
);
`;
