import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';
import type { PiiKind } from '../record/pii-fields.js';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Nonces drawn per call to the CSPRNG: one call per 512 seals instead of one per seal. */
const NONCE_POOL_BYTES = NONCE_BYTES * 512;

export interface Sealed {
  nonce: Buffer;
  /** Ciphertext with the 16-byte GCM tag appended. */
  ciphertext: Buffer;
}

/** Raised when a ciphertext, its nonce, its context or the key do not match. */
export class VaultAuthenticationError extends Error {
  override readonly name = 'VaultAuthenticationError';
  constructor(what: string) {
    super(`${what}: authentication failed (wrong key, or the stored data was altered)`);
  }
}

// Random nonces come from a pool filled by one CSPRNG call: randomBytes(12) per
// seal costs about as much as the encryption itself. Each pool is a fresh
// buffer, handed out in disjoint 12-byte slices and never refilled in place,
// so no nonce is ever reused or overwritten.
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;

function randomNonce(): Buffer {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomFillSync(Buffer.allocUnsafeSlow(NONCE_POOL_BYTES));
    nonceOffset = 0;
  }
  const nonce = noncePool.subarray(nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return nonce;
}

/**
 * The additional authenticated data a vault value is sealed with: the
 * pipeline seals with it (prepare-record.ts) and the vault reader opens with
 * it, so a sealed value only opens as the kind and token it was stored under.
 */
export const vaultContext = (kind: PiiKind, token: string): string => `${kind}:${token}`;

/**
 * The AAD of a quarantined message's sealed body: its message id (the
 * idempotency key its row is stored under). The pipeline seals with it and
 * replay opens with it, so a body only opens as the message it was stored for.
 */
export const quarantineContext = (messageId: string): string => `quarantine:${messageId}`;

/**
 * AES-256-GCM with a random 96-bit nonce. `context` is bound as additional
 * authenticated data (e.g. "ip:<token>"), so a ciphertext moved to another
 * row fails to open instead of decrypting to the wrong person's value.
 * A caller sealing many values under one key passes it as a KeyObject
 * (`createSecretKey`): a raw Buffer is imported again on every call, which
 * costs about a third of sealing a short value.
 */
export function seal(key: Buffer | KeyObject, plaintext: Buffer, context: string): Sealed {
  const nonce = randomNonce();
  const cipher = createCipheriv(ALGORITHM, key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { nonce, ciphertext };
}

export function open(key: Buffer, sealed: Sealed, context: string): Buffer {
  if (sealed.ciphertext.length < TAG_BYTES || sealed.nonce.length !== NONCE_BYTES) {
    throw new VaultAuthenticationError(context.split(':')[0] ?? 'vault entry');
  }
  const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
  const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new VaultAuthenticationError(context.split(':')[0] ?? 'vault entry');
  }
}
