import { randomBytes } from 'node:crypto';
import { nextVersion, type Keyring } from '../../../lambda/masking/keyring.js';

/** What a rotation did, in words fit for a terminal: version names only, never key material. */
export interface RotationSummary {
  previous: string;
  current: string;
  versions: string[];
}

/**
 * The keyring with one more version, made current. Old versions stay: rows
 * they masked must stay matchable by lookup, and retiring one is a separate,
 * deliberate act (docs/pii.md). 32 random bytes: HMAC-SHA-256's full
 * strength, and the length parseKeyring requires.
 */
export function withNewVersion(keyring: Keyring, material: Buffer = randomBytes(32)): { keyring: Keyring; summary: RotationSummary } {
  const added = nextVersion(keyring);
  const keys = new Map(keyring.keys);
  keys.set(added, material);
  return {
    keyring: { current: added, keys },
    summary: { previous: keyring.current, current: added, versions: [...keys.keys()] },
  };
}
