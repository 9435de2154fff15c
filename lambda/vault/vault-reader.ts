import type { PiiKind } from '../record/pii-fields.js';
import { KekError, type KeyEncryptionKey } from './key-encryption-key.js';
import { open, quarantineContext, vaultContext, VaultAuthenticationError } from './seal.js';

/** One pii_vault row joined with the vault_data_keys row that wraps its data key. */
export interface StoredVaultEntry {
  token: string;
  kind: PiiKind;
  dekId: string;
  kekId: string;
  wrappedKey: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

/** Where a sealed value's data key is: its vault_data_keys row. */
export type StoredDataKeyRef = Pick<StoredVaultEntry, 'dekId' | 'kekId' | 'wrappedKey'>;

/** A quarantined message's sealed body, with the row of its data key. */
export interface StoredQuarantineBody extends StoredDataKeyRef {
  messageId: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

/**
 * The decrypt side of the vault, used only by the operator tools (the Lambda
 * seals, it never opens). Each data key is unwrapped once per reader, so
 * unmasking a user with many values costs one KEK call per data key (one KMS
 * Decrypt, logged in CloudTrail), not one per value. Every failure is an
 * error, never a wrong value: the data key and the value are both
 * authenticated, and the value is bound to its token and kind.
 */
export class VaultReader {
  readonly #kek: KeyEncryptionKey;
  readonly #dataKeys = new Map<string, Promise<Buffer>>();

  constructor(kek: KeyEncryptionKey) {
    this.#kek = kek;
  }

  async open(entry: StoredVaultEntry): Promise<string> {
    const key = await this.#dataKey(entry);
    try {
      return open(key, { nonce: entry.nonce, ciphertext: entry.ciphertext }, vaultContext(entry.kind, entry.token)).toString('utf8');
    } catch (error) {
      if (error instanceof VaultAuthenticationError) {
        throw new VaultAuthenticationError(`vault entry ${entry.kind} ${entry.token.slice(0, 12)}…`);
      }
      throw error;
    }
  }

  /** A quarantined message's body (replay), bound to its message id as the pipeline sealed it. */
  async openBody(body: StoredQuarantineBody): Promise<string> {
    const key = await this.dataKey(body);
    try {
      return open(key, { nonce: body.nonce, ciphertext: body.ciphertext }, quarantineContext(body.messageId)).toString('utf8');
    } catch (error) {
      if (error instanceof VaultAuthenticationError) throw new VaultAuthenticationError(`quarantined body of ${body.messageId}`);
      throw error;
    }
  }

  /**
   * A data key in the clear (memory only), unwrapped once per reader. Replay
   * seals a landed body's values under the key of that body: an operator may
   * unwrap keys (kms:Decrypt) but not make them (kms:GenerateDataKey).
   */
  dataKey(ref: StoredDataKeyRef): Promise<Buffer> {
    return this.#dataKey(ref);
  }

  /** Forgets the unwrapped data keys (best effort: the GC may hold copies). */
  close(): void {
    for (const pending of this.#dataKeys.values()) void pending.then((key) => key.fill(0), () => undefined);
    this.#dataKeys.clear();
  }

  #dataKey(entry: StoredDataKeyRef): Promise<Buffer> {
    let pending = this.#dataKeys.get(entry.dekId);
    if (!pending) {
      pending = this.#unwrap(entry);
      this.#dataKeys.set(entry.dekId, pending);
      // A failure is not cached: a retry after fixing the configuration may work.
      pending.catch(() => this.#dataKeys.delete(entry.dekId));
    }
    return pending;
  }

  async #unwrap(entry: StoredDataKeyRef): Promise<Buffer> {
    try {
      return await this.#kek.unwrap(entry.wrappedKey, entry.kekId, entry.dekId);
    } catch (error) {
      if (error instanceof VaultAuthenticationError) {
        // The local KEK opened nothing: another key under the same id, or an altered wrapped key.
        throw new VaultAuthenticationError(`data key ${entry.dekId} (KEK ${entry.kekId})`);
      }
      if (error instanceof KekError) throw error;
      // KMS says why (AccessDeniedException, InvalidCiphertextException…); its
      // messages name keys and principals, never key material.
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      throw new KekError(`data key ${entry.dekId} could not be unwrapped by ${entry.kekId}: ${name}: ${message}`, {
        cause: error,
      });
    }
  }
}
