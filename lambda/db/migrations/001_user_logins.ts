/**
 * The exercise's table, unchanged, so its queries keep working; then the
 * columns login-etl needs for idempotency and provenance.
 * message_id stays nullable: rows loaded before this migration have none, and
 * a unique index allows many NULLs while still making redelivery a no-op.
 */
export const sql = `
CREATE TABLE IF NOT EXISTS user_logins(
    user_id             varchar(128),
    device_type         varchar(32),
    masked_ip           varchar(256),
    masked_device_id    varchar(256),
    locale              varchar(32),
    app_version         integer,
    create_date         date
);
ALTER TABLE user_logins
  ADD COLUMN IF NOT EXISTS message_id       varchar(128),
  ADD COLUMN IF NOT EXISTS app_version_text varchar(64),
  ADD COLUMN IF NOT EXISTS key_version      varchar(16),
  ADD COLUMN IF NOT EXISTS sent_at          timestamptz,
  ADD COLUMN IF NOT EXISTS ingested_at      timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX IF NOT EXISTS user_logins_message_id_key ON user_logins (message_id);
CREATE INDEX IF NOT EXISTS user_logins_masked_device_id_idx ON user_logins (masked_device_id);
CREATE INDEX IF NOT EXISTS user_logins_masked_ip_idx ON user_logins (masked_ip);
CREATE INDEX IF NOT EXISTS user_logins_user_id_idx ON user_logins (user_id);
COMMENT ON COLUMN user_logins.app_version IS 'major*1000000 + minor*1000 + patch; NULL when app_version_text does not fit that encoding';
COMMENT ON COLUMN user_logins.create_date IS 'UTC date of the SQS SentTimestamp';
`;
