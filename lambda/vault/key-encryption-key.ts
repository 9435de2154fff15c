import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { open, seal, VaultAuthenticationError } from './seal.js';

/** A fresh data key, in the clear (memory only) and wrapped (for the database). */
export interface DataKey {
  plaintext: Buffer;
  wrapped: Buffer;
  kekId: string;
}

/**
 * The key-encryption key: AWS KMS in AWS, a local key file for the demo and
 * tests. Only wrapped data keys ever reach the database. A data key is bound
 * to its vault_data_keys.id when wrapped (KMS: encryption context; local: the
 * AAD), so it opens only under that id, and a CloudTrail Decrypt record names
 * the key it opened. Keys wrapped before the id was bound still open.
 */
export interface KeyEncryptionKey {
  readonly id: string;
  generateDataKey(dataKeyId: string): Promise<DataKey>;
  unwrap(wrapped: Buffer, kekId: string, dataKeyId: string): Promise<Buffer>;
}

export class KekError extends Error {
  override readonly name = 'KekError';
}

/** A 256-bit key in a local JSON file: {"id":"local-…","key":"base64:…"}. */
export class LocalKek implements KeyEncryptionKey {
  readonly id: string;
  readonly #key: Buffer;

  constructor(id: string, key: Buffer) {
    if (key.length !== 32) throw new KekError(`local KEK ${id} must be 32 bytes`);
    this.id = id;
    this.#key = key;
  }

  static async fromFile(path: string): Promise<LocalKek> {
    let parsed: { id?: unknown; key?: unknown };
    try {
      parsed = JSON.parse(await readFile(path, 'utf8')) as typeof parsed;
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not valid JSON';
      throw new KekError(`VAULT_KEK_FILE ${path} ${why}`);
    }
    if (typeof parsed.id !== 'string' || typeof parsed.key !== 'string' || !parsed.key.startsWith('base64:')) {
      throw new KekError(`VAULT_KEK_FILE ${path} must hold {"id": "...", "key": "base64:..."}`);
    }
    return new LocalKek(parsed.id, Buffer.from(parsed.key.slice('base64:'.length), 'base64'));
  }

  static generateFileContent(id = `local-${randomBytes(4).toString('hex')}`): string {
    return JSON.stringify({ id, key: `base64:${randomBytes(32).toString('base64')}` }, null, 2);
  }

  async generateDataKey(dataKeyId: string): Promise<DataKey> {
    const plaintext = randomBytes(32);
    const { nonce, ciphertext } = seal(this.#key, plaintext, `dek:${this.id}:${dataKeyId}`);
    return { plaintext, wrapped: Buffer.concat([nonce, ciphertext]), kekId: this.id };
  }

  async unwrap(wrapped: Buffer, kekId: string, dataKeyId: string): Promise<Buffer> {
    if (kekId !== this.id) {
      throw new KekError(`data key was wrapped by ${kekId}, but the configured key is ${this.id}`);
    }
    const sealed = { nonce: wrapped.subarray(0, 12), ciphertext: wrapped.subarray(12) };
    try {
      return open(this.#key, sealed, `dek:${this.id}:${dataKeyId}`);
    } catch (error) {
      // Wrapped before data keys were bound to their id: the KEK's id alone.
      if (!(error instanceof VaultAuthenticationError)) throw error;
      return open(this.#key, sealed, `dek:${this.id}`);
    }
  }
}
