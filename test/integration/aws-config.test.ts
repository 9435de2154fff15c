import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { keyringJson } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

/**
 * Secrets Manager and KMS cannot run here, so they are the only mocks in the
 * suite: the database is the real one, reached with what the secret says.
 */
class FakeSecrets {
  calls = 0;
  constructor(readonly values: Record<string, string>) {}
  async getSecretString(arn: string): Promise<string> {
    this.calls += 1;
    const value = this.values[arn];
    if (value === undefined) throw new Error(`ResourceNotFoundException: ${arn}`);
    return value;
  }
}

class FakeKms {
  readonly #master = randomBytes(32);
  calls: string[] = [];
  async send(command: GenerateDataKeyCommand | DecryptCommand): Promise<Record<string, unknown>> {
    this.calls.push(command.constructor.name);
    if (command instanceof GenerateDataKeyCommand) {
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', this.#master, iv);
      const blob = Buffer.concat([iv, c.update(plaintext), c.final(), c.getAuthTag()]);
      return { Plaintext: plaintext, CiphertextBlob: blob, KeyId: command.input.KeyId };
    }
    const blob = Buffer.from(command.input.CiphertextBlob as Uint8Array);
    const d = createDecipheriv('aes-256-gcm', this.#master, blob.subarray(0, 12));
    d.setAuthTag(blob.subarray(blob.length - 16));
    return { Plaintext: Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()]) };
  }
}

describe('configuration from Secrets Manager and KMS', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('aws_config');
  });
  after(async () => db.drop());

  it('connects with the RDS secret, masks with the keyring secret, wraps data keys with KMS, once per sandbox', async () => {
    const url = new URL(db.pipelineUrl);
    const secrets = new FakeSecrets({
      'arn:db': JSON.stringify({
        username: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password) || 'unused-with-trust-auth',
        host: 'unreachable.invalid',
        port: Number(url.port || 5432),
        dbname: url.pathname.slice(1),
        engine: 'postgres',
      }),
      'arn:keys': keyringJson(),
    });
    const kms = new FakeKms();
    const config = loadConfig({
      DB_SECRET_ARN: 'arn:db',
      DB_HOST: url.hostname, // the proxy endpoint overrides the secret's host
      MASKING_SECRET_ARN: 'arn:keys',
      VAULT_KMS_KEY_ID: 'arn:aws:kms:us-east-1:000000000000:key/test',
    });
    const etl = new LoginEtl(config, { secrets, kms });
    try {
      for (let i = 0; i < 3; i += 1) {
        const result = await etl.process(sqsEvent(sampleBodies.slice(i * 10, i * 10 + 10), { idPrefix: `aws-${i}` }));
        assert.deepEqual(result.response, { batchItemFailures: [] });
      }
      assert.equal(secrets.calls, 2, 'each secret fetched once, then cached');
      assert.deepEqual(kms.calls, ['GenerateDataKeyCommand'], 'one data key for the sandbox');
      const keys = await db.pool.query('SELECT kek_id FROM vault_data_keys');
      assert.deepEqual(keys.rows, [{ kek_id: 'arn:aws:kms:us-east-1:000000000000:key/test' }]);
    } finally {
      await etl.close();
    }
  });

  it('fails the batch transiently, and retries the load next time, when a secret cannot be read', async () => {
    const secrets = new FakeSecrets({});
    const etl = new LoginEtl(
      loadConfig({ DB_SECRET_ARN: 'arn:missing', MASKING_KEYS: keyringJson(), VAULT_KMS_KEY_ID: 'k' }),
      { secrets, kms: new FakeKms() },
    );
    const event = sqsEvent(sampleBodies.slice(0, 2), { idPrefix: 'aws-missing' });
    const first = await etl.process(event);
    assert.equal(first.counts.failed, 2);
    await etl.process(event);
    assert.equal(secrets.calls, 2, 'not cached after a failure');
    await etl.close();
  });
});
