import { sql as userLogins } from './001_user_logins.js';
import { sql as quarantine } from './002_quarantine.js';
import { sql as vault } from './003_vault.js';
import { sql as roles } from './004_roles.js';
import { sql as operatorErasure } from './005_operator_erasure.js';
import { sql as writerVaultFilter } from './006_writer_vault_filter.js';
import { sql as cCollationKeys } from './007_c_collation_keys.js';
import { sql as writeFunction } from './008_write_function.js';
import { sql as logins } from './009_logins.js';
import { sql as auditStampedByDatabase } from './010_audit_stamped_by_database.js';
import { sql as writeV2QuarantineUserToken } from './011_write_v2_quarantine_user_token.js';
import { sql as auditReplay } from './012_audit_replay.js';
import { sql as replayFunctions } from './013_replay_functions.js';
import { sql as sealedOriginalsInline } from './014_sealed_originals_inline.js';
import { sql as writeV3 } from './015_write_v3.js';
import { sql as replayArrayLengths } from './016_replay_array_lengths.js';
import { sql as maintenance } from './020_maintenance.js';
import { sql as partitionUserLogins } from './021_partition_user_logins.js';
import { sql as piiSealedRowSealComment } from './022_pii_sealed_row_seal_comment.js';

import type { TimedMigration } from '../migration-history.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Ordered, append-only. SQL lives in modules rather than .sql files so that the
 * same text ships inside the esbuild bundle of the deploy-time migration
 * function without loader configuration.
 */
export const migrations: readonly TimedMigration[] = [
  { version: 1, name: 'user_logins', sql: userLogins },
  { version: 2, name: 'quarantine', sql: quarantine },
  { version: 3, name: 'vault', sql: vault },
  { version: 4, name: 'roles', sql: roles },
  { version: 5, name: 'operator_erasure', sql: operatorErasure },
  { version: 6, name: 'writer_vault_filter', sql: writerVaultFilter },
  { version: 7, name: 'c_collation_keys', sql: cCollationKeys },
  { version: 8, name: 'write_function', sql: writeFunction },
  { version: 9, name: 'logins', sql: logins },
  { version: 10, name: 'audit_stamped_by_database', sql: auditStampedByDatabase },
  { version: 11, name: 'write_v2_quarantine_user_token', sql: writeV2QuarantineUserToken },
  { version: 12, name: 'audit_replay', sql: auditReplay },
  { version: 13, name: 'replay_functions', sql: replayFunctions },
  { version: 14, name: 'sealed_originals_inline', sql: sealedOriginalsInline },
  { version: 15, name: 'write_v3', sql: writeV3 },
  { version: 16, name: 'replay_array_lengths', sql: replayArrayLengths },
  { version: 20, name: 'maintenance', sql: maintenance },
  { version: 21, name: 'partition_user_logins', sql: partitionUserLogins, statementTimeoutMs: 3_600_000 },
  { version: 22, name: 'pii_sealed_row_seal_comment', sql: piiSealedRowSealComment },
];
