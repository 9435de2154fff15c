import type { SQSRecord } from 'aws-lambda';
import type { Tokenizer } from '../lambda/masking/tokenize.js';
import { prepareRecord, type PrepareContext } from '../lambda/pipeline/prepare-record.js';
import { toWriteSet } from '../lambda/pipeline/chunk-writer.js';
import type { PreparedRecord, WriteSet } from '../lambda/pipeline/types.js';
import type { ActiveDataKey } from '../lambda/vault/data-key-cache.js';
import { encodeCopy, type CopyValue } from './copy.js';

/** A table the pipeline writes, with the columns it fills (the rest are defaults). */
export interface TableRows {
  table: string;
  columns: readonly string[];
  rows: CopyValue[][];
}

export interface PrecomputedRows {
  /** Per message, in order: what the pipeline prepares for it. */
  prepared: PreparedRecord[];
  /** Everything written, deduplicated as the tables will hold it. */
  writeSet: WriteSet;
  tables: TableRows[];
}

/**
 * Exactly the rows login-etl writes for these records, computed with the
 * pipeline's own preparation code (same tokens, same sealed shapes), so the
 * ceiling and the floor write what the pipeline writes and nothing else.
 */
export function precomputeRows(
  records: readonly SQSRecord[],
  tokenizer: Tokenizer,
  dataKey: ActiveDataKey,
): PrecomputedRows {
  const ctx: PrepareContext = { tokenizer, dataKey: dataKey.key, now: new Date(), sealedByToken: new Map() };
  const prepared = records.map((record) => prepareRecord(record, ctx));
  const writeSet = toWriteSet(prepared, { id: dataKey.id, kekId: dataKey.kekId, wrapped: dataKey.wrapped });
  return { prepared, writeSet, tables: tablesOf(writeSet) };
}

function tablesOf(set: WriteSet): TableRows[] {
  const { dataKey } = set;
  return [
    {
      table: 'vault_data_keys',
      columns: ['id', 'kek_id', 'wrapped_key'],
      rows: [[dataKey.id, dataKey.kekId, dataKey.wrapped]],
    },
    {
      table: 'pii_vault',
      columns: ['token', 'kind', 'key_version', 'dek_id', 'nonce', 'ciphertext'],
      rows: set.vault.map((v) => [v.token, v.kind, v.keyVersion, dataKey.id, v.nonce, v.ciphertext]),
    },
    {
      table: 'user_logins_quarantine',
      columns: ['message_id', 'reason', 'detail', 'preview', 'body_dek_id', 'body_nonce', 'body_ciphertext', 'key_version', 'sent_at', 'receive_count'],
      rows: set.quarantine.map((q) => [
        q.messageId, q.reason, q.detail, q.preview, dataKey.id, q.bodyNonce, q.bodyCiphertext, q.keyVersion, q.sentAt, q.receiveCount,
      ]),
    },
    {
      table: 'user_logins',
      columns: ['user_id', 'device_type', 'masked_ip', 'masked_device_id', 'locale', 'app_version', 'create_date', 'message_id', 'app_version_text', 'key_version', 'sent_at'],
      rows: set.logins.map((l) => [
        l.userId, l.deviceType, l.maskedIp, l.maskedDeviceId, l.locale, l.appVersion, l.createDate, l.messageId, l.appVersionText, l.keyVersion, l.sentAt,
      ]),
    },
  ];
}

/** COPY payloads per table, encoded ahead of the measurement. */
export function encodeTables(tables: readonly TableRows[]): { table: string; columns: readonly string[]; chunks: Buffer[]; rows: number }[] {
  return tables.map((t) => ({ table: t.table, columns: t.columns, chunks: encodeCopy(t.rows), rows: t.rows.length }));
}
