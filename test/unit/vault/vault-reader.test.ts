import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { PiiKind } from '../../../lambda/record/pii-fields.js';
import { KekError, LocalKek, type DataKey, type KeyEncryptionKey } from '../../../lambda/vault/key-encryption-key.js';
import { seal, vaultContext, VaultAuthenticationError } from '../../../lambda/vault/seal.js';
import { VaultReader, type StoredVaultEntry } from '../../../lambda/vault/vault-reader.js';

function localKek(id = 'local-test'): LocalKek {
  return new LocalKek(id, randomBytes(32));
}

/** Counts unwraps, so the per-data-key cache is observable. */
class CountingKek implements KeyEncryptionKey {
  unwraps = 0;
  constructor(readonly inner: KeyEncryptionKey) {}
  get id(): string {
    return this.inner.id;
  }
  generateDataKey(dataKeyId: string): Promise<DataKey> {
    return this.inner.generateDataKey(dataKeyId);
  }
  unwrap(wrapped: Buffer, kekId: string, dataKeyId: string): Promise<Buffer> {
    this.unwraps += 1;
    return this.inner.unwrap(wrapped, kekId, dataKeyId);
  }
}

async function sealEntry(kek: KeyEncryptionKey, kind: PiiKind, token: string, value: string, dek?: { id: string; key: DataKey }) {
  const id = randomUUID();
  const dataKey = dek ?? { id, key: await kek.generateDataKey(id) };
  const sealed = seal(dataKey.key.plaintext, Buffer.from(value), vaultContext(kind, token));
  const entry: StoredVaultEntry = {
    token,
    kind,
    dekId: dataKey.id,
    kekId: dataKey.key.kekId,
    wrappedKey: dataKey.key.wrapped,
    ...sealed,
  };
  return { entry, dek: dataKey };
}

const tokenA = 'a'.repeat(64);
const tokenB = 'b'.repeat(64);

describe('VaultReader', () => {
  it('opens entries and unwraps each data key once', async () => {
    const kek = new CountingKek(localKek());
    const first = await sealEntry(kek, 'ip', tokenA, '10.1.2.3');
    const second = await sealEntry(kek, 'device_id', tokenB, '593-47-5928', first.dek);
    const reader = new VaultReader(kek);
    assert.equal(await reader.open(first.entry), '10.1.2.3');
    assert.equal(await reader.open(second.entry), '593-47-5928');
    assert.equal(kek.unwraps, 1, 'one KEK call per data key, not per value');
    reader.close();
  });

  it('a KEK with another id refuses, naming both ids and no key material', async () => {
    const writer = localKek('local-writer');
    const { entry } = await sealEntry(writer, 'ip', tokenA, '10.1.2.3');
    const reader = new VaultReader(localKek('local-other'));
    await assert.rejects(reader.open(entry), (error: unknown) => {
      assert.ok(error instanceof KekError);
      assert.match(error.message, /wrapped by local-writer, but the configured key is local-other/);
      return true;
    });
  });

  it('a different key under the same id fails authentication on the data key', async () => {
    const { entry } = await sealEntry(localKek('local-same'), 'ip', tokenA, '10.1.2.3');
    await assert.rejects(new VaultReader(localKek('local-same')).open(entry), (error: unknown) => {
      assert.ok(error instanceof VaultAuthenticationError);
      assert.match(error.message, new RegExp(`data key ${entry.dekId}`));
      return true;
    });
  });

  it('an altered value, wrapped key or token fails authentication', async () => {
    const kek = localKek();
    const { entry } = await sealEntry(kek, 'ip', tokenA, '10.1.2.3');
    const flipped = (b: Buffer) => Buffer.concat([b.subarray(0, 5), Buffer.from([(b[5] ?? 0) ^ 0x80]), b.subarray(6)]);
    const altered: StoredVaultEntry[] = [
      { ...entry, ciphertext: flipped(entry.ciphertext) },
      { ...entry, dekId: randomUUID(), wrappedKey: flipped(entry.wrappedKey) },
      { ...entry, token: tokenB }, // a ciphertext copied to another token's row
      { ...entry, kind: 'device_id' },
    ];
    for (const bad of altered) {
      await assert.rejects(new VaultReader(kek).open(bad), VaultAuthenticationError);
    }
  });

  it('does not cache a failed unwrap', async () => {
    let fail = true;
    const inner = localKek();
    const kek: KeyEncryptionKey = {
      id: inner.id,
      generateDataKey: (dataKeyId) => inner.generateDataKey(dataKeyId),
      unwrap: (w, id, dataKeyId) => (fail ? Promise.reject(new KekError('KMS unavailable')) : inner.unwrap(w, id, dataKeyId)),
    };
    const { entry } = await sealEntry(inner, 'ip', tokenA, '10.1.2.3');
    const reader = new VaultReader(kek);
    await assert.rejects(reader.open(entry), KekError);
    fail = false;
    assert.equal(await reader.open(entry), '10.1.2.3');
  });

  it('opens a data key only under the id it was made for; a key wrapped before ids were bound still opens', async () => {
    const kek = localKek();
    const { entry } = await sealEntry(kek, 'ip', tokenA, '10.9.9.9');
    await assert.rejects(new VaultReader(kek).open({ ...entry, dekId: randomUUID() }), VaultAuthenticationError, 'moved to another id');

    // A wrapped key as the local KEK made them before: bound to the KEK id alone.
    const master = randomBytes(32);
    const plaintext = randomBytes(32);
    const legacy = seal(master, plaintext, 'dek:local-old');
    const old = new LocalKek('local-old', master);
    const value = seal(plaintext, Buffer.from('10.8.8.8'), vaultContext('ip', tokenA));
    const stored = { token: tokenA, kind: 'ip' as const, dekId: randomUUID(), kekId: 'local-old', wrappedKey: Buffer.concat([legacy.nonce, legacy.ciphertext]), ...value };
    assert.equal(await new VaultReader(old).open(stored), '10.8.8.8');
  });
});
