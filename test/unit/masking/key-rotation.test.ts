import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PutSecretValueCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseKeyring } from '../../../lambda/masking/keyring.js';
import { rotateKeyringFile } from '../../../tools/lib/pii/keyring-file.js';
import { withNewVersion } from '../../../tools/lib/pii/key-rotation.js';
import { rotateMaskingSecret, SecretsManagerMaskingStore } from '../../../tools/lib/pii/masking-secret.js';
import { keyringJson } from '../../support/keys.js';

const materialOf = (text: string) => [...parseKeyring(text, 't').keys.values()];

describe('key rotation', () => {
  it('adds a version, makes it current, keeps the old ones', () => {
    const v1 = randomBytes(32);
    const { keyring, summary } = withNewVersion(parseKeyring(keyringJson({ v1 }), 't'));
    assert.deepEqual(summary, { previous: 'v1', current: 'v2', versions: ['v1', 'v2'] });
    assert.deepEqual(keyring.keys.get('v1'), v1);
    assert.equal(keyring.keys.get('v2')?.length, 32);
    assert.notDeepEqual(keyring.keys.get('v2'), v1);
  });

  it('rewrites a keyring file atomically, mode 0600, and the old key stays', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'login-etl-rotate-'));
    const file = path.join(dir, 'keyring.json');
    const v1 = randomBytes(32);
    writeFileSync(file, keyringJson({ v1 }), { mode: 0o600 });
    const summary = await rotateKeyringFile(file);
    assert.equal(summary.current, 'v2');
    const rotated = parseKeyring(readFileSync(file, 'utf8'), 't');
    assert.equal(rotated.current, 'v2');
    assert.deepEqual(rotated.keys.get('v1'), v1);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(JSON.stringify(summary).includes(v1.toString('base64')), false);
    await rotateKeyringFile(file);
    assert.equal(parseKeyring(readFileSync(file, 'utf8'), 't').current, 'v3');
  });

  it('rotates the Secrets Manager keyring in memory, only with apply', async () => {
    const v1 = randomBytes(32);
    let stored = keyringJson({ v1 });
    const sent: unknown[] = [];
    // A stand-in for the Secrets Manager API (mocks are for AWS APIs only).
    const client = {
      async send(command: unknown) {
        sent.push(command);
        if (command instanceof GetSecretValueCommand) return { SecretString: stored, VersionId: 'old' };
        if (command instanceof PutSecretValueCommand) {
          stored = command.input.SecretString ?? '';
          return { VersionId: 'new-version' };
        }
        throw new Error('unexpected command');
      },
    } as unknown as Pick<SecretsManagerClient, 'send'>;
    const store = new SecretsManagerMaskingStore(client);
    const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:login-etl/masking-AbCdEf';

    const dry = await rotateMaskingSecret(store, arn, { apply: false });
    assert.deepEqual(dry, { previous: 'v1', current: 'v2', versions: ['v1', 'v2'], applied: false });
    assert.equal(sent.filter((c) => c instanceof PutSecretValueCommand).length, 0, 'a dry run writes nothing');

    const applied = await rotateMaskingSecret(store, arn, { apply: true });
    assert.equal(applied.versionId, 'new-version');
    const put = sent.find((c): c is PutSecretValueCommand => c instanceof PutSecretValueCommand);
    assert.equal(put?.input.SecretId, arn);
    assert.match(put?.input.ClientRequestToken ?? '', /^[0-9a-f-]{36}$/);
    const keyring = parseKeyring(stored, 't');
    assert.equal(keyring.current, 'v2');
    assert.deepEqual(keyring.keys.get('v1'), v1);
    for (const material of materialOf(stored)) {
      assert.equal(JSON.stringify(applied).includes(material.toString('base64')), false, 'the summary holds no key');
    }
  });
});
