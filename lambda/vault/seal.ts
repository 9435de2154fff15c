import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

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

/**
 * AES-256-GCM with a random 96-bit nonce. `context` is bound as additional
 * authenticated data (e.g. "ip:<token>"), so a ciphertext moved to another
 * row fails to open instead of decrypting to the wrong person's value.
 */
export function seal(key: Buffer, plaintext: Buffer, context: string): Sealed {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return { nonce, ciphertext: Buffer.concat([body, final, cipher.getAuthTag()]) };
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
