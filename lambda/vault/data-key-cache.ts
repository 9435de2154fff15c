import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import type { KeyEncryptionKey } from './key-encryption-key.js';

export interface ActiveDataKey {
  id: string;
  /** The plaintext key, imported once: seal() would otherwise import raw bytes per value. */
  key: KeyObject;
  wrapped: Buffer;
  kekId: string;
}

/**
 * Data-key caching, as the AWS Encryption SDK does it: one KMS GenerateDataKey
 * per sandbox and per `maxUses` sealed values, not one per value, which keeps
 * KMS out of the per-record path (cost and latency) while bounding how much
 * data one key protects. Hand-written because the AWS Encryption SDK brings a
 * large dependency tree into a bundle that must stay under 1 MB, and we need
 * only this one piece of it.
 */
export class DataKeyCache {
  #active?: ActiveDataKey;
  #uses = 0;

  constructor(
    readonly kek: KeyEncryptionKey,
    readonly maxUses: number,
  ) {}

  /** The key to seal `count` values with; a new one once the budget is spent. */
  async acquire(count: number): Promise<ActiveDataKey> {
    if (!this.#active || this.#uses + count > this.maxUses) {
      const { plaintext, wrapped, kekId } = await this.kek.generateDataKey();
      this.#active = { id: randomUUID(), key: createSecretKey(plaintext), wrapped, kekId };
      this.#uses = 0;
    }
    this.#uses += count;
    return this.#active;
  }
}
