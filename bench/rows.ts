import type { SQSRecord } from 'aws-lambda';
import type { Tokenizer } from '../lambda/masking/tokenize.js';
import { prepareRecord, sealingWith, type PrepareContext } from '../lambda/pipeline/prepare-record.js';
import { toWriteSet } from '../lambda/pipeline/chunk-writer.js';
import type { PreparedRecord, WriteSet } from '../lambda/pipeline/types.js';
import type { ActiveDataKey } from '../lambda/vault/data-key-cache.js';
import { copySql } from '../lambda/db/copy-text.js';
import { DATA_KEY_WRITE, LOGIN_WRITE, QUARANTINE_WRITE, type TableWrite, type WriteValue } from '../lambda/db/write-spec.js';
import { encodeCopy } from './copy.js';

/** A table the pipeline writes, the COPY of the columns it fills (the rest are defaults), and its rows. */
export interface TableRows {
  table: string;
  copySql: string;
  rows: WriteValue[][];
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
  const ctx: PrepareContext = { tokenizer, ...sealingWith(dataKey, records.length), now: new Date() };
  const prepared = records.map((record) => prepareRecord(record, ctx));
  ctx.rows.dispose();
  const writeSet = toWriteSet(prepared, { id: dataKey.id, kekId: dataKey.kekId, wrapped: dataKey.wrapped });
  return { prepared, writeSet, tables: tablesOf(writeSet) };
}

/** Each table's rows as the write fills them: columns and values from the write's specification. */
function tablesOf(set: WriteSet): TableRows[] {
  const table = <Row>(write: TableWrite<Row>, rows: readonly Row[]): TableRows => ({
    table: write.table,
    copySql: copySql(write),
    rows: rows.map((row) => write.row(row, set.dataKey)),
  });
  return [
    table(DATA_KEY_WRITE, [set.dataKey]),
    table(QUARANTINE_WRITE, set.quarantine),
    table(LOGIN_WRITE, set.logins),
  ];
}

/** COPY payloads per table, encoded ahead of the measurement. */
export function encodeTables(tables: readonly TableRows[]): { table: string; copySql: string; chunks: Buffer[]; rows: number }[] {
  return tables.map((t) => ({ table: t.table, copySql: t.copySql, chunks: encodeCopy(t.rows), rows: t.rows.length }));
}
