/**
 * pii_sealed's comment names the form the pipeline writes since row seals
 * (lambda/vault/row-seal.ts); the forms written before still open. Operators
 * read the column's meaning from \d+, so it must not lag behind the code.
 */
export const sql = `
COMMENT ON COLUMN user_logins.pii_sealed IS 'the row''s originals, sealed under pii_dek_id (form byte 2: a row seal, AES-256-CTR then HMAC-SHA-256; 1: one AES-256-GCM seal, as written before row seals; 0: per-value seals moved from pii_vault); NULL once forgotten';
`;
