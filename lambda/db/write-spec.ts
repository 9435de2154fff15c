import type { DataKeyRef, LoginRow, QuarantineRow, WriteSet } from '../pipeline/types.js';
import type { ElementType } from './binary-array.js';

/** A value as a column receives it: what the binary arrays and COPY's text format both encode. */
export type WriteValue = string | number | Buffer | null;

/** Where a parameter's values come from: the chunk's data key, or one of the row lists of its write set. */
type Source = 'dataKey' | 'quarantine' | 'logins';

interface ParameterSpec<S extends Source, Row> {
  source: S;
  /** The column of the source's table the parameter fills. */
  column: string;
  /** Its type: the element type of the array for a row list, the scalar's for the data key. */
  type: ElementType | 'uuid';
  fill: (row: Row) => WriteValue;
}

type AnyParameter =
  | ParameterSpec<'dataKey', DataKeyRef>
  | ParameterSpec<'quarantine', QuarantineRow>
  | ParameterSpec<'logins', LoginRow>;

const key = (column: string, type: ElementType | 'uuid', fill: (k: DataKeyRef) => WriteValue): AnyParameter => ({
  source: 'dataKey',
  column,
  type,
  fill,
});
const quarantine = (column: string, type: ElementType, fill: (q: QuarantineRow) => WriteValue): AnyParameter => ({
  source: 'quarantine',
  column,
  type,
  fill,
});
const login = (column: string, type: ElementType, fill: (l: LoginRow) => WriteValue): AnyParameter => ({
  source: 'logins',
  column,
  type,
  fill,
});

/**
 * The write, described once: every parameter of login_etl_write_v4
 * (migration 21: v3 of migration 15 keyed on (message_id, create_date)) in its position, the table column it fills and how a
 * prepared record fills it. The call's text, its binary parameter encoding,
 * the COPY fast path, replay's call and the bench's COPY ceiling and
 * per-message floor are all derived from this list;
 * test/integration/write-spec.test.ts checks it against the function's
 * signature and the tables in the database. The order is the function's: a
 * new column is a new function version.
 */
export const WRITE_PARAMETERS: readonly AnyParameter[] = [
  key('id', 'uuid', (k) => k.id),
  key('kek_id', 'text', (k) => k.kekId),
  key('wrapped_key', 'bytea', (k) => k.wrapped),
  quarantine('message_id', 'varchar', (q) => q.messageId),
  quarantine('reason', 'varchar', (q) => q.reason),
  quarantine('detail', 'text', (q) => q.detail),
  quarantine('preview', 'jsonb', (q) => q.preview),
  quarantine('body_nonce', 'bytea', (q) => q.bodyNonce),
  quarantine('body_ciphertext', 'bytea', (q) => q.bodyCiphertext),
  quarantine('key_version', 'varchar', (q) => q.keyVersion),
  quarantine('sent_at', 'timestamptz', (q) => q.sentAt?.toISOString() ?? null),
  quarantine('receive_count', 'int', (q) => q.receiveCount),
  quarantine('user_token', 'varchar', (q) => q.userToken),
  login('user_id', 'varchar', (l) => l.userId),
  login('device_type', 'varchar', (l) => l.deviceType),
  login('masked_ip', 'varchar', (l) => l.maskedIp),
  login('masked_device_id', 'varchar', (l) => l.maskedDeviceId),
  login('locale', 'varchar', (l) => l.locale),
  login('app_version', 'int', (l) => l.appVersion),
  login('create_date', 'date', (l) => l.createDate),
  login('message_id', 'varchar', (l) => l.messageId),
  login('app_version_text', 'varchar', (l) => l.appVersionText),
  login('key_version', 'varchar', (l) => l.keyVersion),
  login('sent_at', 'timestamptz', (l) => l.sentAt),
  login('pii_sealed', 'bytea', (l) => l.piiSealed),
];

/** The function the pipeline's write calls; its previous versions stay callable during a deploy. */
export const WRITE_FUNCTION = 'login_etl_write_v4';

/**
 * The schema the migrations create the tables in (their admin's
 * current_schema()): the functions pin it in their search_path; a COPY
 * names it, since a session searches pg_temp first and a temporary table
 * named like ours would otherwise take the rows.
 */
export const WRITE_SCHEMA = 'public';

/**
 * Tables the write fills: the column of each that names the data key its
 * sealed values are under, and its conflict target (what makes a row
 * already there, so a redelivered message is a no-op on it).
 */
const WRITE_TABLES = {
  quarantine: { table: 'user_logins_quarantine', dataKeyColumn: 'body_dek_id', conflictTarget: ['message_id'] },
  // create_date is the partition key (migration 21): a partitioned table's unique keys must hold it.
  logins: { table: 'user_logins', dataKeyColumn: 'pii_dek_id', conflictTarget: ['message_id', 'create_date'] },
} as const satisfies Record<
  Exclude<Source, 'dataKey'>,
  { table: string; dataKeyColumn: string; conflictTarget: readonly string[] }
>;

/** The write's parameters with their casts, as every call of a function taking them spells them (the write, replay). */
export const WRITE_ARGUMENTS = WRITE_PARAMETERS.map(
  (p, i) => `$${i + 1}::${p.source === 'dataKey' ? p.type : `${p.type}[]`}`,
).join(', ');

/** Element type of each array parameter, by 0-based position. */
export const ARRAY_PARAMETERS: ReadonlyMap<number, ElementType> = new Map(
  WRITE_PARAMETERS.flatMap((p, i) => (p.source === 'dataKey' || p.type === 'uuid' ? [] : [[i, p.type] as const])),
);

/** The write set as the function's arguments, in order, before encoding: one value for the key, one array per column. */
export function writeValues(set: WriteSet): (WriteValue | WriteValue[])[] {
  return WRITE_PARAMETERS.map((p) => {
    switch (p.source) {
      case 'dataKey':
        return p.fill(set.dataKey);
      case 'quarantine':
        return set.quarantine.map(p.fill);
      case 'logins':
        return set.logins.map(p.fill);
    }
  });
}

/** One table's columns as the write fills them, with how a row of that table is filled, in the spec's order. */
export interface TableWrite<Row> {
  table: string;
  columns: readonly string[];
  conflictTarget: readonly string[];
  row: (row: Row, dataKey: DataKeyRef) => WriteValue[];
}

function tableWrite<Row>(source: Exclude<Source, 'dataKey'>): TableWrite<Row> {
  const { table, dataKeyColumn, conflictTarget } = WRITE_TABLES[source];
  const parameters = WRITE_PARAMETERS.filter((p) => p.source === source) as unknown as ParameterSpec<typeof source, Row>[];
  const columns = parameters.map((p) => p.column);
  return {
    table,
    columns: [dataKeyColumn, ...columns],
    conflictTarget,
    row: (row, dataKey) => [dataKey.id, ...parameters.map((p) => p.fill(row))],
  };
}

/** Each table the write fills, for a writer that fills them row by row or by COPY (the bench's floor and ceiling). */
export const LOGIN_WRITE = tableWrite<LoginRow>('logins');
export const QUARANTINE_WRITE = tableWrite<QuarantineRow>('quarantine');
/** The data key's row, as the write's first parameters fill it. */
export const DATA_KEY_WRITE: TableWrite<DataKeyRef> = {
  table: 'vault_data_keys',
  conflictTarget: ['id'],
  columns: WRITE_PARAMETERS.filter((p) => p.source === 'dataKey').map((p) => p.column),
  row: (k) => WRITE_PARAMETERS.flatMap((p) => (p.source === 'dataKey' ? [p.fill(k)] : [])),
};
