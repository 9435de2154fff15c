import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { KekError, type DataKey, type KeyEncryptionKey } from './key-encryption-key.js';
import { KMS_CONTEXT_DATA_KEY_ID, KMS_CONTEXT_PURPOSE, KMS_CONTEXT_PURPOSE_KEY } from './kms-context.js';

/** The context a data key is wrapped and unwrapped with. */
const kmsContext = (dataKeyId: string): Record<string, string> => ({
  [KMS_CONTEXT_PURPOSE_KEY]: KMS_CONTEXT_PURPOSE,
  [KMS_CONTEXT_DATA_KEY_ID]: dataKeyId,
});

/** Data keys wrapped before their id was bound carry the purpose alone. */
const LEGACY_CONTEXT = { [KMS_CONTEXT_PURPOSE_KEY]: KMS_CONTEXT_PURPOSE };

/** AWS KMS as key-encryption key: GenerateDataKey on write, Decrypt on unmask. */
export class KmsKek implements KeyEncryptionKey {
  constructor(
    readonly id: string,
    readonly client: Pick<KMSClient, 'send'>,
  ) {}

  async generateDataKey(dataKeyId: string): Promise<DataKey> {
    const out = await this.client.send(
      new GenerateDataKeyCommand({ KeyId: this.id, KeySpec: 'AES_256', EncryptionContext: kmsContext(dataKeyId) }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new KekError('KMS GenerateDataKey returned no key');
    return {
      plaintext: Buffer.from(out.Plaintext),
      wrapped: Buffer.from(out.CiphertextBlob),
      kekId: out.KeyId ?? this.id,
    };
  }

  /**
   * Decrypt with the key's id in the context. KMS answers
   * InvalidCiphertextException when the context does not match; only then is
   * the context without the id tried, which opens only the keys wrapped
   * before ids were bound: a key wrapped under one id never opens as another.
   */
  async unwrap(wrapped: Buffer, kekId: string, dataKeyId: string): Promise<Buffer> {
    try {
      return await this.#decrypt(wrapped, kekId, kmsContext(dataKeyId));
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'InvalidCiphertextException') throw error;
      return this.#decrypt(wrapped, kekId, LEGACY_CONTEXT);
    }
  }

  async #decrypt(wrapped: Buffer, kekId: string, context: Record<string, string>): Promise<Buffer> {
    const out = await this.client.send(new DecryptCommand({ CiphertextBlob: wrapped, KeyId: kekId, EncryptionContext: context }));
    if (!out.Plaintext) throw new KekError('KMS Decrypt returned no plaintext');
    return Buffer.from(out.Plaintext);
  }
}
