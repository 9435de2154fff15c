import { randomUUID } from 'node:crypto';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseKeyring, serializeKeyring } from '../../../lambda/masking/keyring.js';
import { withNewVersion, type RotationSummary } from './key-rotation.js';

/** The two Secrets Manager calls rotation needs; an interface so tests can stand in for AWS. */
export interface MaskingSecretStore {
  read(arn: string): Promise<string>;
  /** Stores a new secret version (AWSCURRENT moves to it); returns its VersionId. */
  write(arn: string, secretString: string, requestToken: string): Promise<string | undefined>;
}

export class SecretsManagerMaskingStore implements MaskingSecretStore {
  constructor(readonly client: Pick<SecretsManagerClient, 'send'>) {}

  async read(arn: string): Promise<string> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof out.SecretString !== 'string') throw new Error(`secret ${arn} has no SecretString`);
    return out.SecretString;
  }

  async write(arn: string, secretString: string, requestToken: string): Promise<string | undefined> {
    const out = await this.client.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: secretString, ClientRequestToken: requestToken }),
    );
    return out.VersionId;
  }
}

export interface SecretRotation extends RotationSummary {
  applied: boolean;
  versionId?: string;
}

/**
 * Adds a key version to the keyring in Secrets Manager, in memory only: the
 * key material goes from the CSPRNG into PutSecretValue and nowhere else (no
 * shell variable, no temporary file, no terminal), which is why this is code
 * and not a printed aws CLI recipe. Without `apply` it only reads and reports
 * what it would do. The previous secret version stays as AWSPREVIOUS.
 */
export async function rotateMaskingSecret(
  store: MaskingSecretStore,
  arn: string,
  options: { apply: boolean },
): Promise<SecretRotation> {
  const keyring = parseKeyring(await store.read(arn), `MASKING_SECRET_ARN ${arn}`);
  const { keyring: rotated, summary } = withNewVersion(keyring);
  if (!options.apply) return { ...summary, applied: false };
  const text = serializeKeyring(rotated);
  parseKeyring(text, 'the rotated keyring'); // what we store must load
  // A fixed token per attempt: an SDK retry of this call cannot store two versions.
  const versionId = await store.write(arn, text, randomUUID());
  return versionId === undefined ? { ...summary, applied: true } : { ...summary, applied: true, versionId };
}
