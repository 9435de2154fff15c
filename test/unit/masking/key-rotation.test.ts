import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { GetSecretValueCommand, PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager';
import { parseKeyring } from '../../../lambda/masking/keyring.js';
import { rotateKeyringFile } from '../../../tools/lib/pii/keyring-file.js';
import { withNewVersion } from '../../../tools/lib/pii/key-rotation.js';
import {
  ROTATION_STAGE,
  RotationConflictError,
  rotateMaskingSecret,
  SecretsManagerMaskingStore,
  type SecretRotation,
} from '../../../tools/lib/pii/masking-secret.js';
import { FakeSecretsManager } from '../../support/fake-secrets-manager.js';
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

  const arn = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:login-etl/masking-AbCdEf';

  it('rotates the Secrets Manager keyring in memory, only with apply: staged, then made current', async () => {
    const v1 = randomBytes(32);
    const sm = new FakeSecretsManager(keyringJson({ v1 }));
    const sent: unknown[] = [];
    sm.gate = async (command) => void sent.push(command);
    const store = new SecretsManagerMaskingStore(sm.client());
    const before = sm.labels.get('AWSCURRENT') as string;

    const dry = await rotateMaskingSecret(store, arn, { apply: false });
    assert.deepEqual(dry, { previous: 'v1', current: 'v2', versions: ['v1', 'v2'], applied: false });
    assert.equal(sent.filter((c) => !(c instanceof GetSecretValueCommand)).length, 0, 'a dry run writes nothing');

    const applied = await rotateMaskingSecret(store, arn, { apply: true });
    const put = sent.find((c): c is PutSecretValueCommand => c instanceof PutSecretValueCommand);
    assert.deepEqual(put?.input.VersionStages, [ROTATION_STAGE], 'stored under its own label, AWSCURRENT untouched');
    assert.match(put?.input.ClientRequestToken ?? '', /^[0-9a-f-]{36}$/);
    const move = sent.find((c): c is UpdateSecretVersionStageCommand => c instanceof UpdateSecretVersionStageCommand);
    assert.deepEqual(move?.input, { SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: applied.versionId, RemoveFromVersionId: before });
    assert.deepEqual(sm.stagesOf(applied.versionId ?? ''), ['AWSCURRENT'], 'the staging label is gone again');
    assert.deepEqual(sm.stagesOf(before), ['AWSPREVIOUS']);
    const keyring = parseKeyring(sm.current, 't');
    assert.equal(keyring.current, 'v2');
    assert.deepEqual(keyring.keys.get('v1'), v1);
    for (const material of materialOf(sm.current)) {
      assert.equal(JSON.stringify(applied).includes(material.toString('base64')), false, 'the summary holds no key');
    }
  });

  it('two overlapping rotations cannot both add v2: the second finds AWSCURRENT moved, withdraws its version and says so', async () => {
    const sm = new FakeSecretsManager(keyringJson({ v1: randomBytes(32) }));
    const original = sm.labels.get('AWSCURRENT') as string;
    // Both read before either writes: each read waits until the other has read too.
    let reads = 0;
    let bothRead: () => void = () => undefined;
    const allRead = new Promise<void>((resolve) => (bothRead = resolve));
    sm.gate = async (command) => {
      if (command instanceof GetSecretValueCommand) {
        reads += 1;
        if (reads === 2) bothRead();
        await allRead;
      }
    };
    const store = new SecretsManagerMaskingStore(sm.client());
    const [first, second] = await Promise.allSettled([
      rotateMaskingSecret(store, arn, { apply: true }),
      rotateMaskingSecret(store, arn, { apply: true }),
    ]);
    const outcomes = [first, second].map((r) => r.status);
    assert.deepEqual(outcomes.sort(), ['fulfilled', 'rejected']);
    const lost = [first, second].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.ok(lost?.reason instanceof RotationConflictError);
    assert.match(lost.reason.message, /changed while rotating \(another rotation\?\): v2 was not made current and its staged version was withdrawn; run rotate-key again$/);
    assert.doesNotMatch(lost.reason.message, /\n/, 'one line');

    const won = [first, second].find((r): r is PromiseFulfilledResult<SecretRotation> => r.status === 'fulfilled')?.value;
    const current = parseKeyring(sm.current, 't');
    assert.deepEqual([current.current, [...current.keys.keys()]], ['v2', ['v1', 'v2']], 'one v2, the winner’s');
    assert.equal(sm.labels.get('AWSCURRENT'), won?.versionId);
    assert.equal(sm.labels.get('AWSPREVIOUS'), original);
    assert.equal(sm.labels.has(ROTATION_STAGE), false, 'no staged version is left labelled');
    const orphans = [...sm.versions.keys()].filter((id) => sm.stagesOf(id).length === 0);
    assert.equal(orphans.length, 1, 'the loser’s version has no label: deprecated, Secrets Manager deletes it');

    const next = await rotateMaskingSecret(store, arn, { apply: true });
    assert.equal(next.current, 'v3', 'the next rotation builds on the winner');
  });
});
