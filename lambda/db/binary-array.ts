/**
 * Arrays in Postgres' binary array format, for the unnest() parameters of the
 * batch write. Hand-written because neither pg nor pg-types encodes binary
 * parameters (pg only sends a Buffer as is) and no maintained package does it
 * for these element types; the format is small and fixed (array_recv in
 * src/backend/utils/adt/arrayfuncs.c), and test/integration/binary-array.test.ts
 * checks every type against the server's own text input on a real Postgres.
 */
export type ElementType = 'varchar' | 'text' | 'bytea' | 'int' | 'date' | 'timestamptz' | 'jsonb';

/** Postgres type oids of the array elements, by the names the write's casts use (write-spec.ts). */
const ELEMENT_OID: Readonly<Record<ElementType, number>> = {
  varchar: 1043,
  text: 25,
  bytea: 17,
  int: 23,
  date: 1082,
  timestamptz: 1184,
  jsonb: 3802,
};

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const MS_PER_DAY = 86_400_000;
// Exactly what toISOString() gives for years 0000-9999; anything else (year
// 10000 and later) is left to the server's text input, as before.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const HEADER_BYTES = 20;
const NULL_LENGTH = -1;

/** The 20-byte array header: one dimension, has-nulls flag, element type, length, lower bound 1. */
function writeHeader(out: Buffer, type: ElementType, count: number, hasNull: boolean): number {
  out.writeInt32BE(1, 0);
  out.writeInt32BE(hasNull ? 1 : 0, 4);
  out.writeInt32BE(ELEMENT_OID[type], 8);
  out.writeInt32BE(count, 12);
  out.writeInt32BE(1, 16);
  return HEADER_BYTES;
}

/** Four bytes of a big-endian int32 as four latin1 characters. */
function int32Chars(n: number): string {
  return String.fromCharCode((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/**
 * Text elements (varchar, text; jsonb with its version byte). The common case,
 * all ASCII, is built as ONE latin1 string (a latin1 character is one byte, an
 * ASCII character is the same byte in UTF-8) and converted in one call: one
 * native call per array instead of two per element.
 */
function textArray(type: ElementType, values: readonly unknown[], prefix: string): Buffer | undefined {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  const parts: string[] = [''];
  let chars = 0;
  let hasNull = false;
  for (const value of values) {
    if (value === null || value === undefined) {
      hasNull = true;
      parts.push(int32Chars(NULL_LENGTH));
    } else if (typeof value === 'string') {
      chars += value.length;
      parts.push(int32Chars(prefix.length + value.length), prefix, value);
    } else {
      return undefined;
    }
  }
  if (Buffer.byteLength(values.join(''), 'utf8') !== chars) return utf8TextArray(type, values, prefix, hasNull);
  writeHeader(header, type, values.length, hasNull);
  parts[0] = header.toString('latin1');
  return Buffer.from(parts.join(''), 'latin1');
}

/** Text elements with non-ASCII characters: each encoded as UTF-8 on its own. */
function utf8TextArray(type: ElementType, values: readonly unknown[], prefix: string, hasNull: boolean): Buffer {
  const encoded = values.map((v) => (typeof v === 'string' ? Buffer.from(prefix + v, 'utf8') : null));
  const out = Buffer.allocUnsafe(HEADER_BYTES + encoded.reduce((n, b) => n + 4 + (b ? b.length : 0), 0));
  let offset = writeHeader(out, type, values.length, hasNull);
  for (const bytes of encoded) {
    offset = out.writeInt32BE(bytes ? bytes.length : NULL_LENGTH, offset);
    if (bytes) offset += bytes.copy(out, offset);
  }
  return out;
}

function byteaArray(values: readonly unknown[]): Buffer | undefined {
  let size = HEADER_BYTES;
  let hasNull = false;
  for (const value of values) {
    if (value === null || value === undefined) hasNull = true;
    else if (!Buffer.isBuffer(value)) return undefined;
    size += 4 + (Buffer.isBuffer(value) ? value.length : 0);
  }
  const out = Buffer.allocUnsafe(size);
  let offset = writeHeader(out, 'bytea', values.length, hasNull);
  for (const value of values) {
    if (Buffer.isBuffer(value)) {
      offset = out.writeInt32BE(value.length, offset);
      offset += value.copy(out, offset);
    } else {
      offset = out.writeInt32BE(NULL_LENGTH, offset);
    }
  }
  return out;
}

/** int4 as is, date as days and timestamptz as microseconds since 2000-01-01 UTC. */
function fixedValue(type: 'int' | 'date' | 'timestamptz', value: unknown): number | undefined {
  if (type === 'int') {
    return typeof value === 'number' && Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647
      ? value
      : undefined;
  }
  if (typeof value !== 'string' || !(type === 'date' ? ISO_DATE : ISO_TIMESTAMP).test(value)) return undefined;
  const ms = Date.parse(type === 'date' ? `${value}T00:00:00Z` : value);
  if (!Number.isFinite(ms)) return undefined;
  return type === 'date' ? (ms - PG_EPOCH_MS) / MS_PER_DAY : ms - PG_EPOCH_MS;
}

function fixedArray(type: 'int' | 'date' | 'timestamptz', values: readonly unknown[]): Buffer | undefined {
  const width = type === 'timestamptz' ? 8 : 4;
  const numbers: (number | null)[] = [];
  let size = HEADER_BYTES;
  let hasNull = false;
  for (const value of values) {
    if (value === null || value === undefined) {
      hasNull = true;
      numbers.push(null);
      size += 4;
      continue;
    }
    const n = fixedValue(type, value);
    if (n === undefined) return undefined;
    numbers.push(n);
    size += 4 + width;
  }
  const out = Buffer.allocUnsafe(size);
  let offset = writeHeader(out, type, values.length, hasNull);
  for (const n of numbers) {
    if (n === null) {
      offset = out.writeInt32BE(NULL_LENGTH, offset);
    } else {
      offset = out.writeInt32BE(width, offset);
      offset = width === 8 ? out.writeBigInt64BE(BigInt(n) * 1000n, offset) : out.writeInt32BE(n, offset);
    }
  }
  return out;
}

/**
 * One array in Postgres' binary array format (what array_recv reads): the
 * header, then each element length-prefixed (-1 for NULL). Undefined when an
 * element has no exact binary form: that parameter then goes as text, as it
 * always did, so the server accepts or rejects exactly what it did before.
 */
export function binaryArray(type: ElementType, values: readonly unknown[]): Buffer | undefined {
  switch (type) {
    case 'varchar':
    case 'text':
      return textArray(type, values, '');
    case 'jsonb':
      // jsonb's binary form: version byte 1, then the JSON text, parsed as jsonb_in would.
      return textArray(type, values, '\u0001');
    case 'bytea':
      return byteaArray(values);
    case 'int':
    case 'date':
    case 'timestamptz':
      return fixedArray(type, values);
  }
}
