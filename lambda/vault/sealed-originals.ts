import { joinOriginals, PII_FIELDS, splitOriginals, type PiiKind } from '../record/pii-fields.js';
import { openRowSeal, rowSealKeys, type RowSealer } from './row-seal.js';
import { open, vaultContext, VaultAuthenticationError } from './seal.js';

/**
 * user_logins.pii_sealed (migration 14): a login row's originals. Its first
 * byte is its form. ROW_SEAL: the pipeline's, one seal of all the row's
 * originals under the row's data key (row-seal.ts), bound to its message id.
 * ONE_SEAL: the same as one AES-256-GCM seal, as the pipeline wrote it
 * before row seals; still opened, no longer written. MOVED: the vault's per-value seals, moved into the row by migration 14
 * (or written by login_etl_write_v2 since), each with its own data key id
 * and still bound to "kind:token".
 */
const ROW_SEAL = 2;
const ONE_SEAL = 1;
const MOVED = 0;
const NONCE_BYTES = 12;
const UUID_BYTES = 16;

/** The AAD of a row's originals: its message id, so they open only as the row they were stored for. */
const originalsContext = (messageId: string): string => `login:${messageId}`;

/** A login's originals (its personal fields' values, in pii-fields.ts order) as pii_sealed: one seal. */
export function sealOriginals(sealer: RowSealer, values: readonly string[], messageId: string): Buffer {
  return sealer.seal(joinOriginals(values), originalsContext(messageId), ROW_SEAL);
}

/** One per-value seal of a moved row: the data key it is under and the sealed value. */
interface MovedValue {
  kind: PiiKind;
  dekId: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

export type StoredOriginals =
  | { form: 'row_seal'; sealed: Buffer }
  | { form: 'one_seal'; nonce: Buffer; ciphertext: Buffer }
  | { form: 'moved'; values: MovedValue[] };

const uuidText = (b: Buffer): string => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** pii_sealed's parts; an unknown form or a truncated value is an authentication failure, never a guess. */
export function parseOriginals(bytes: Buffer): StoredOriginals {
  const bad = () => new VaultAuthenticationError('sealed originals');
  if (bytes[0] === ROW_SEAL) return { form: 'row_seal', sealed: bytes };
  if (bytes[0] === ONE_SEAL) {
    if (bytes.length < 1 + NONCE_BYTES) throw bad();
    return { form: 'one_seal', nonce: bytes.subarray(1, 1 + NONCE_BYTES), ciphertext: bytes.subarray(1 + NONCE_BYTES) };
  }
  if (bytes[0] !== MOVED) throw bad();
  const values: MovedValue[] = [];
  let offset = 1;
  for (const { kind } of PII_FIELDS) {
    if (offset + UUID_BYTES + NONCE_BYTES + 4 > bytes.length) throw bad();
    const dekId = uuidText(bytes.subarray(offset, offset + UUID_BYTES));
    const nonce = bytes.subarray(offset + UUID_BYTES, offset + UUID_BYTES + NONCE_BYTES);
    const length = bytes.readInt32BE(offset + UUID_BYTES + NONCE_BYTES);
    offset += UUID_BYTES + NONCE_BYTES + 4;
    if (length < 0 || offset + length > bytes.length) throw bad();
    values.push({ kind, dekId, nonce, ciphertext: bytes.subarray(offset, offset + length) });
    offset += length;
  }
  return { form: 'moved', values };
}

/** What opening a row's originals needs: the row's ids and tokens, and each data key it names in the clear. */
export interface OriginalsRow {
  messageId: string;
  /** pii_dek_id: the key of a one-seal row. */
  dekId: string;
  tokens: ReadonlyMap<PiiKind, string>;
  stored: StoredOriginals;
}

/** The data key ids a row's originals are under. */
export function originalsKeyIds(row: Pick<OriginalsRow, 'dekId' | 'stored'>): string[] {
  return row.stored.form === 'moved' ? [...new Set(row.stored.values.map((v) => v.dekId))] : [row.dekId];
}

/** The row's originals by kind; throws VaultAuthenticationError when anything does not authenticate. */
export function openOriginals(row: OriginalsRow, keys: ReadonlyMap<string, Buffer>): Map<PiiKind, string> {
  const keyOf = (id: string): Buffer => {
    const key = keys.get(id);
    if (!key) throw new VaultAuthenticationError(`data key ${id}`);
    return key;
  };
  const { stored } = row;
  if (stored.form === 'row_seal') {
    const plaintext = openRowSeal(rowSealKeys(keyOf(row.dekId)), stored.sealed, originalsContext(row.messageId));
    const text = plaintext.toString('utf8');
    plaintext.fill(0);
    return splitOriginals(text);
  }
  if (stored.form === 'one_seal') {
    const plaintext = open(keyOf(row.dekId), stored, originalsContext(row.messageId));
    return splitOriginals(plaintext.toString('utf8'));
  }
  return new Map(
    stored.values.map((v) => [v.kind, open(keyOf(v.dekId), v, vaultContext(v.kind, row.tokens.get(v.kind) ?? '')).toString('utf8')]),
  );
}
