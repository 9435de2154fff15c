import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomFillSync,
  timingSafeEqual,
  type Cipher,
  type KeyObject,
} from 'node:crypto';
import { HmacSha256 } from '../masking/hmac-sha256.js';
import { VaultAuthenticationError } from './seal.js';

const IV_BYTES = 16;
const TAG_BYTES = 16;
const BLOCK_BYTES = 16;
/** Keystream drawn per expected row of a chunk: the originals of a typical login fit in 3 blocks. */
const KEYSTREAM_BYTES_PER_ROW = 3 * BLOCK_BYTES;
const AAD_LENGTH_BYTES = 8;

/**
 * The keys a data key's row seals use, derived from it once (HKDF-SHA-256,
 * one label each): the data key itself never keys two algorithms.
 */
export interface RowSealKeys {
  readonly cipherKey: KeyObject;
  readonly mac: HmacSha256;
}

const derive = (dataKey: Buffer | KeyObject, label: string): Buffer =>
  Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), `login-etl row seal v1: ${label}`, 32));

export function rowSealKeys(dataKey: Buffer | KeyObject): RowSealKeys {
  const cipherKey = derive(dataKey, 'AES-256-CTR');
  const macKey = derive(dataKey, 'HMAC-SHA-256');
  const keys = { cipherKey: createSecretKey(cipherKey), mac: new HmacSha256(macKey) };
  cipherKey.fill(0);
  macKey.fill(0);
  return keys;
}

/** `base` plus `blocks` as a 128-bit big-endian counter, modulo 2^128 as OpenSSL's CTR counts, written at out[at]. */
function counterBlock(base: Buffer, blocks: number, out: Buffer, at: number): void {
  base.copy(out, at);
  let carry = blocks;
  for (let i = IV_BYTES - 1; i >= 0 && carry > 0; i -= 1) {
    const sum = (out[at + i] as number) + (carry % 256);
    out[at + i] = sum & 0xff;
    carry = Math.floor(carry / 256) + (sum >> 8);
  }
}

/**
 * The MAC input of a row seal, as Tink's AES-CTR-HMAC AEAD lays it out:
 * AAD ‖ IV ‖ ciphertext ‖ AAD length in bits (64-bit big-endian), where the
 * AAD is the seal's prefix byte (its form) then the context, so the form is
 * authenticated too.
 */
function macInput(scratch: Buffer, prefix: number, context: string, ivAndCiphertext: Buffer): { bytes: Buffer; grown: Buffer } {
  const aadBytes = 1 + Buffer.byteLength(context, 'utf8');
  const size = aadBytes + ivAndCiphertext.length + AAD_LENGTH_BYTES;
  const buffer = size <= scratch.length ? scratch : Buffer.alloc(size * 2);
  buffer[0] = prefix;
  buffer.write(context, 1, 'utf8');
  ivAndCiphertext.copy(buffer, aadBytes);
  const bits = aadBytes * 8;
  buffer.writeUInt32BE(Math.floor(bits / 2 ** 32), aadBytes + ivAndCiphertext.length);
  buffer.writeUInt32BE(bits % 2 ** 32, aadBytes + ivAndCiphertext.length + 4);
  return { bytes: buffer.subarray(0, size), grown: buffer };
}

/**
 * Seals the rows of one chunk: AES-256-CTR then HMAC-SHA-256 over AAD, IV
 * and ciphertext (encrypt-then-MAC, Tink's AES-CTR-HMAC AEAD), tag cut to
 * 128 bits. Why not AES-GCM per row: node creates a cipher object and three
 * Buffers per GCM seal, which cost several times the cryptography of a
 * short value. Here one CTR cipher per chunk, from a random 128-bit counter
 * block, makes the chunk's keystream; each row takes whole blocks of it
 * after the previous row's and stores its own first counter block as its
 * IV, so no counter block serves two rows and a row opens alone
 * (openRowSeal) with a standard CTR decipher. Layout: prefix byte, IV,
 * ciphertext, tag. Single-threaded; dispose() wipes the unused keystream.
 */
export class RowSealer {
  readonly #keys: RowSealKeys;
  readonly #base: Buffer;
  readonly #cipher: Cipher;
  readonly #refillBytes: number;
  #keystream: Buffer = Buffer.alloc(0);
  /** Counter blocks before #keystream's first byte. */
  #streamBlock = 0;
  #used = 0;
  #scratch: Buffer = Buffer.alloc(256);
  #disposed = false;

  constructor(keys: RowSealKeys, expectedRows: number, random: (b: Buffer) => Buffer = randomFillSync) {
    this.#keys = keys;
    this.#base = random(Buffer.alloc(IV_BYTES));
    this.#cipher = createCipheriv('aes-256-ctr', keys.cipherKey, this.#base);
    this.#refillBytes = Math.max(1, expectedRows) * KEYSTREAM_BYTES_PER_ROW;
  }

  /** Offset in #keystream of `blocks` fresh blocks, refilling (and wiping what is left) when too few remain. */
  #reserve(blocks: number): number {
    const bytes = blocks * BLOCK_BYTES;
    if (this.#used + bytes > this.#keystream.length) {
      this.#streamBlock += this.#keystream.length / BLOCK_BYTES;
      this.#keystream.fill(0);
      // CTR's keystream is the encryption of zeros; whole blocks keep the cipher's counter aligned.
      this.#keystream = this.#cipher.update(Buffer.alloc(Math.max(bytes, this.#refillBytes)));
      this.#used = 0;
    }
    const at = this.#used;
    this.#used += bytes;
    return at;
  }

  /** `plaintext` (UTF-8) sealed and bound to `context`, after one `prefix` byte. */
  seal(plaintext: string, context: string, prefix: number): Buffer {
    // A wiped keystream is zeros: sealing with it would store the plaintext.
    if (this.#disposed) throw new Error('a row sealer seals nothing after dispose()');
    const length = Buffer.byteLength(plaintext, 'utf8');
    // At least one block, so that no two rows ever share an IV.
    const at = this.#reserve(Math.max(1, Math.ceil(length / BLOCK_BYTES)));
    const out = Buffer.allocUnsafe(1 + IV_BYTES + length + TAG_BYTES);
    out[0] = prefix;
    counterBlock(this.#base, this.#streamBlock + at / BLOCK_BYTES, out, 1);
    const body = 1 + IV_BYTES;
    out.write(plaintext, body, 'utf8');
    const keystream = this.#keystream;
    // A short keystream would leave bytes unencrypted (x ^ undefined is x).
    if (at + length > keystream.length) throw new Error('row sealer: keystream shorter than its reservation');
    for (let i = 0; i < length; i += 1) {
      out[body + i] = (out[body + i] as number) ^ (keystream[at + i] as number);
      keystream[at + i] = 0;
    }
    const { bytes, grown } = macInput(this.#scratch, prefix, context, out.subarray(1, body + length));
    this.#scratch = grown;
    out.write(this.#keys.mac.binary(bytes), body + length, TAG_BYTES, 'latin1');
    return out;
  }

  dispose(): void {
    this.#disposed = true;
    this.#keystream.fill(0);
    this.#scratch.fill(0);
  }
}

/**
 * The plaintext of a row seal (`sealed` with its prefix byte), in a buffer
 * of its own (not node's shared pool), for the caller to wipe;
 * VaultAuthenticationError when anything does not match.
 */
export function openRowSeal(keys: RowSealKeys, sealed: Buffer, context: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES) throw new VaultAuthenticationError('sealed originals');
  const ivAndCiphertext = sealed.subarray(1, sealed.length - TAG_BYTES);
  const { bytes } = macInput(Buffer.alloc(0), sealed[0] as number, context, ivAndCiphertext);
  const expected = Buffer.from(keys.mac.binary(bytes), 'latin1').subarray(0, TAG_BYTES);
  if (!timingSafeEqual(expected, sealed.subarray(sealed.length - TAG_BYTES))) {
    throw new VaultAuthenticationError('sealed originals');
  }
  // CTR has no final block: update() gives all of it.
  return createDecipheriv('aes-256-ctr', keys.cipherKey, ivAndCiphertext.subarray(0, IV_BYTES)).update(ivAndCiphertext.subarray(IV_BYTES));
}
