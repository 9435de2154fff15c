/**
 * The encryption context bound into every wrapped key: CloudTrail shows it
 * and KMS checks it. The vault key's policy conditions its grants on these
 * names (infra/constructs/pii-keys.ts), so they are written here once, in a
 * module of names that the stack may import (kms-kek.ts wraps and unwraps).
 */
export const KMS_CONTEXT_PURPOSE_KEY = 'purpose';
export const KMS_CONTEXT_PURPOSE = 'login-etl-pii-vault';
/** The vault_data_keys.id of the data key, so a CloudTrail Decrypt names which key was opened. */
export const KMS_CONTEXT_DATA_KEY_ID = 'data_key_id';
