import type { DataKeyRef } from '../pipeline/types.js';
import { WRITE_SCHEMA, type TableWrite, type WriteValue } from './write-spec.js';

/** What COPY's text format must escape inside a field. */
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field of COPY's text format: text as is (escaped when it must be), bytes as \x hex, null as \N. */
function copyField(value: WriteValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'string') return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPED[c] as string) : value;
  if (typeof value === 'number') return String(value);
  return `\\\\x${value.toString('hex')}`;
}

/** One row as a line of COPY's text format: its fields, tab-separated. */
export const copyLine = (values: readonly WriteValue[]): string => `${values.map(copyField).join('\t')}\n`;

/**
 * Rows of one table as COPY text-format lines, columns as the write's
 * specification gives them (TableWrite.columns): one string for the
 * whole chunk, turned into bytes once.
 */
export function copyText<Row>(write: TableWrite<Row>, rows: readonly Row[], dataKey: DataKeyRef): string {
  let text = '';
  for (const row of rows) text += copyLine(write.row(row, dataKey));
  return text;
}

/** The statement that COPYs a table's rows, as copyText() encodes them; the table schema-qualified (WRITE_SCHEMA). */
export const copySql = <Row>(write: TableWrite<Row>): string => `COPY ${WRITE_SCHEMA}.${write.table} (${write.columns.join(', ')}) FROM STDIN`;
