import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { SEALS_PER_RECORD, type DataKeyLease, type DataKeys } from '../pipeline/types.js';
import type { KeyEncryptionKey } from './key-encryption-key.js';
import { rowSealKeys, type RowSealKeys } from './row-seal.js';

export interface ActiveDataKey {
  id: string;
  /** The plaintext key, imported once: seal() would otherwise import raw bytes per value. */
  key: KeyObject;
  /** Its row seals' keys, derived once. */
  rowKeys: RowSealKeys;
  wrapped: Buffer;
  kekId: string;
}

/**
 * The most values one data key may ever seal, whatever VAULT_DATA_KEY_MAX_USES
 * says: AES-GCM with random 96-bit nonces (quarantined bodies) must stay well
 * below 2³² messages per key (NIST SP 800-38D) for nonce collisions to stay
 * negligible. Row seals start each chunk's keystream at a random 128-bit
 * counter block, which this cap keeps far from any overlap (docs/pii.md).
 */
export const DATA_KEY_USES_CAP = 2 ** 30;

/**
 * How long one data key may seal, as the AWS Encryption SDK's cache bounds a
 * key's age: a sandbox can live for hours. Kept well under the day for which
 * maintenance keeps a data key that no row names yet (migration 20), so the
 * store may trust that a key it wrote rows under is still on file.
 */
export const DATA_KEY_MAX_AGE_MS = 60 * 60 * 1000;

/** A seal beyond what a lease reserved: a counting mistake, refused rather than over-using the key. */
export class DataKeyLimitError extends Error {
  override readonly name = 'DataKeyLimitError';
}

/** A lease on a cached key; leases on one key share its object. */
export interface CachedKeyLease extends DataKeyLease {
  readonly dataKey: ActiveDataKey;
}

interface KeyState {
  dataKey: ActiveDataKey;
  createdAt: number;
  /** Reserved by open leases plus sealed under closed ones. */
  uses: number;
}

/**
 * Data-key caching, as the AWS Encryption SDK does it: one KMS GenerateDataKey
 * per sandbox and per `maxUses` sealed values, not one per value, which keeps
 * KMS out of the per-record path (cost and latency) while bounding how much
 * data one key protects: no key ever seals more than `maxUses` values, nor
 * for longer than DATA_KEY_MAX_AGE_MS. The id
 * is chosen before the key is made, so the key-encryption key can bind it
 * (KMS encryption context). Hand-written because the AWS Encryption SDK
 * brings a large dependency tree into a bundle that must stay under 1 MB, and
 * we need only this one piece of it.
 */
export class DataKeyCache implements DataKeys {
  #active?: KeyState;

  constructor(
    readonly kek: KeyEncryptionKey,
    readonly maxUses: number,
    readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(maxUses) || maxUses < SEALS_PER_RECORD || maxUses > DATA_KEY_USES_CAP) {
      throw new RangeError(`a data key's uses must be ${SEALS_PER_RECORD} to ${DATA_KEY_USES_CAP}, not ${maxUses}`);
    }
  }

  /** A lease of `count` uses of the current key; a new key when the current one cannot give them all. */
  async acquire(count: number): Promise<CachedKeyLease> {
    if (!Number.isInteger(count) || count < 0 || count > this.maxUses) {
      throw new RangeError(`${count} seals cannot fit one data key (at most ${this.maxUses})`);
    }
    let state = this.#active;
    if (!state || state.uses + count > this.maxUses || this.now() - state.createdAt >= DATA_KEY_MAX_AGE_MS) {
      const id = randomUUID();
      const createdAt = this.now();
      const { plaintext, wrapped, kekId } = await this.kek.generateDataKey(id);
      state = { dataKey: { id, key: createSecretKey(plaintext), rowKeys: rowSealKeys(plaintext), wrapped, kekId }, uses: 0, createdAt };
      plaintext.fill(0);
      this.#active = state;
    }
    state.uses += count;
    return lease(state, count);
  }
}

/** `take()` counts a seal against the reservation; `release()` gives back the unused uses, so the key's count ends at the values it really sealed. */
function lease(state: KeyState, reserved: number): CachedKeyLease {
  let taken = 0;
  let open = true;
  return {
    ...state.dataKey,
    dataKey: state.dataKey,
    take() {
      if (!open || taken >= reserved) {
        throw new DataKeyLimitError(`data key ${state.dataKey.id}: a seal beyond the ${reserved} reserved`);
      }
      taken += 1;
    },
    release() {
      if (!open) return;
      open = false;
      state.uses -= reserved - taken;
    },
  };
}
