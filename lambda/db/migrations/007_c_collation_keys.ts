/**
 * Tokens (hex HMACs) and SQS message ids are ASCII keys, looked up by
 * equality and compared in every unique-index and ON CONFLICT check of the
 * batch write. Under a linguistic collation (RDS creates databases with
 * en_US.UTF-8) each comparison goes through the locale's rules; under "C" it
 * is a byte comparison, the order it gives hex and ids is the same, and
 * sorts may use abbreviated keys: less server CPU per record written
 * (docs/performance.md).
 * The columns compared with each other (user_logins' masked columns, the
 * vault's and the erasure list's token) change together, so no comparison
 * mixes two collations. Changing only the collation keeps the table as it is
 * but rebuilds each column's indexes, under an exclusive lock: on a large
 * existing table, ingestion waits (messages stay in the queue) until it ends.
 */
export const sql = `
ALTER TABLE user_logins
  ALTER COLUMN message_id       TYPE varchar(128) COLLATE "C",
  ALTER COLUMN masked_ip        TYPE varchar(256) COLLATE "C",
  ALTER COLUMN masked_device_id TYPE varchar(256) COLLATE "C";
ALTER TABLE user_logins_quarantine ALTER COLUMN message_id TYPE varchar(128) COLLATE "C";
ALTER TABLE pii_vault    ALTER COLUMN token TYPE varchar(64) COLLATE "C";
ALTER TABLE pii_erasures ALTER COLUMN token TYPE varchar(64) COLLATE "C";
`;
