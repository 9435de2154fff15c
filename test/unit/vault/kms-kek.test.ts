import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { KekError } from '../../../lambda/vault/key-encryption-key.js';
import { DataKeyCache } from '../../../lambda/vault/data-key-cache.js';
import { KmsKek } from '../../../lambda/vault/kms-kek.js';
import { open, seal, vaultContext } from '../../../lambda/vault/seal.js';
import { VaultReader } from '../../../lambda/vault/vault-reader.js';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * A stand-in for AWS KMS (the only kind of mock these tests use): it keeps
 * its own master key, binds the encryption context into every wrapped key as
 * KMS does, and answers with KMS's exception names.
 */
class FakeKms {
  readonly master = randomBytes(32);
  readonly sent: unknown[] = [];
  refuse?: string;

  async send(command: unknown): Promise<Record<string, unknown>> {
    this.sent.push(command);
    if (this.refuse) throw Object.assign(new Error(`User is not authorized to perform kms:Decrypt`), { name: this.refuse });
    if (command instanceof GenerateDataKeyCommand) {
      const plaintext = randomBytes(32);
      const context = JSON.stringify(command.input.EncryptionContext ?? {});
      const { nonce, ciphertext } = seal(this.master, plaintext, context);
      return { KeyId: KEY_ARN, Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(Buffer.concat([nonce, ciphertext])) };
    }
    if (command instanceof DecryptCommand) {
      const blob = Buffer.from(command.input.CiphertextBlob ?? new Uint8Array());
      const context = JSON.stringify(command.input.EncryptionContext ?? {});
      try {
        const plaintext = open(this.master, { nonce: blob.subarray(0, 12), ciphertext: blob.subarray(12) }, context);
        return { KeyId: KEY_ARN, Plaintext: new Uint8Array(plaintext) };
      } catch {
        throw Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' });
      }
    }
    throw new Error('unexpected command');
  }

  /** KMSClient['send'] is heavily overloaded; the fake implements the two commands used. */
  client(): Pick<KMSClient, 'send'> {
    return this as unknown as Pick<KMSClient, 'send'>;
  }
}

describe('KmsKek (mocked KMS client)', () => {
  it('asks for an AES-256 data key under the configured key, with the purpose and the data key id as context', async () => {
    const kms = new FakeKms();
    const kek = new KmsKek('alias/login-etl-vault', kms.client());
    const dekId = randomUUID();
    const key = await kek.generateDataKey(dekId);
    assert.equal(key.plaintext.length, 32);
    assert.equal(key.kekId, KEY_ARN, 'the key ARN KMS answered with is stored, not the alias');
    assert.equal(key.wrapped.includes(key.plaintext), false);
    const command = kms.sent[0];
    assert.ok(command instanceof GenerateDataKeyCommand);
    assert.deepEqual(command.input, {
      KeyId: 'alias/login-etl-vault',
      KeySpec: 'AES_256',
      EncryptionContext: { purpose: 'login-etl-pii-vault', data_key_id: dekId },
    });
  });

  it('the cache chooses the data key id first and KMS binds it: the id stored is the id in the context', async () => {
    const kms = new FakeKms();
    const cache = new DataKeyCache(new KmsKek(KEY_ARN, kms.client()), 1_000);
    const lease = await cache.acquire(3);
    const command = kms.sent[0];
    assert.ok(command instanceof GenerateDataKeyCommand);
    assert.deepEqual(command.input.EncryptionContext, { purpose: 'login-etl-pii-vault', data_key_id: lease.id });
  });

  it('unwraps through Decrypt with the same context (naming the data key), and the vault round-trips', async () => {
    const kms = new FakeKms();
    const kek = new KmsKek('alias/login-etl-vault', kms.client());
    const dekId = randomUUID();
    const key = await kek.generateDataKey(dekId);
    const token = 'c'.repeat(64);
    const sealed = seal(key.plaintext, Buffer.from('2001:db8::1'), vaultContext('ip', token));
    const reader = new VaultReader(kek);
    const entry = { token, kind: 'ip' as const, dekId, kekId: key.kekId, wrappedKey: key.wrapped, ...sealed };
    assert.equal(await reader.open(entry), '2001:db8::1');
    assert.equal(kms.sent.length, 2, 'one Decrypt: no fallback for a key made with its id');
    const decrypt = kms.sent[1];
    assert.ok(decrypt instanceof DecryptCommand);
    assert.equal(decrypt.input.KeyId, KEY_ARN);
    assert.deepEqual(decrypt.input.EncryptionContext, { purpose: 'login-etl-pii-vault', data_key_id: dekId });
  });

  it('a key wrapped before ids were bound opens with the old context; a key never opens under another id', async () => {
    const kms = new FakeKms();
    const kek = new KmsKek(KEY_ARN, kms.client());
    const legacy = await kms.send(new GenerateDataKeyCommand({ KeyId: KEY_ARN, KeySpec: 'AES_256', EncryptionContext: { purpose: 'login-etl-pii-vault' } }));
    const dekId = randomUUID();
    const opened = await kek.unwrap(Buffer.from(legacy.CiphertextBlob as Uint8Array), KEY_ARN, dekId);
    assert.deepEqual(opened, Buffer.from(legacy.Plaintext as Uint8Array));
    const contexts = kms.sent.slice(1).map((c) => (c as DecryptCommand).input.EncryptionContext);
    assert.deepEqual(contexts, [{ purpose: 'login-etl-pii-vault', data_key_id: dekId }, { purpose: 'login-etl-pii-vault' }]);

    const bound = await kek.generateDataKey(randomUUID());
    await assert.rejects(kek.unwrap(bound.wrapped, KEY_ARN, randomUUID()), { name: 'InvalidCiphertextException' });
  });

  it('turns a KMS refusal or a wrapped key from elsewhere into a KekError', async () => {
    const kms = new FakeKms();
    const dekId = randomUUID();
    const key = await new KmsKek(KEY_ARN, kms.client()).generateDataKey(dekId);
    const token = 'd'.repeat(64);
    const sealed = seal(key.plaintext, Buffer.from('10.0.0.1'), vaultContext('ip', token));
    const entry = { token, kind: 'ip' as const, dekId, kekId: key.kekId, wrappedKey: key.wrapped, ...sealed };

    const otherAccount = new FakeKms(); // another master key: InvalidCiphertextException
    await assert.rejects(new VaultReader(new KmsKek(KEY_ARN, otherAccount.client())).open(entry), (error: unknown) => {
      assert.ok(error instanceof KekError);
      assert.match(error.message, /InvalidCiphertextException/);
      return true;
    });
    kms.refuse = 'AccessDeniedException';
    await assert.rejects(new VaultReader(new KmsKek(KEY_ARN, kms.client())).open(entry), /AccessDeniedException/);
  });

  it('refuses a response without key material', async () => {
    const empty = { send: async () => ({}) } as unknown as Pick<KMSClient, 'send'>;
    await assert.rejects(new KmsKek(KEY_ARN, empty).generateDataKey(randomUUID()), KekError);
    await assert.rejects(new KmsKek(KEY_ARN, empty).unwrap(Buffer.alloc(8), KEY_ARN, randomUUID()), KekError);
  });
});
