import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { parseKeyring, serializeKeyring } from '../../../lambda/masking/keyring.js';
import { withNewVersion, type RotationSummary } from './key-rotation.js';

/**
 * The label a rotation stages its new version under before making it
 * current. Not AWSPENDING, which a Secrets Manager rotation function owns,
 * and not AWSCURRENT, which moves only once the version is in place.
 */
export const ROTATION_STAGE = 'LOGINETL_ROTATION';
const CURRENT = 'AWSCURRENT';

/** The Secrets Manager calls a rotation needs; an interface so tests can stand in for AWS. */
export interface MaskingSecretStore {
  /** The AWSCURRENT version: its id and text. */
  readCurrent(arn: string): Promise<{ versionId: string; secretString: string }>;
  /** Stores a version under `stage` only (AWSCURRENT stays where it is); returns its VersionId. */
  stage(arn: string, secretString: string, requestToken: string, stage: string): Promise<string>;
  /** Moves AWSCURRENT to `versionId`, only if it is still on `expectedCurrent`; rejects otherwise. */
  promote(arn: string, versionId: string, expectedCurrent: string): Promise<void>;
  /** Takes `stage` off `versionId`. */
  unstage(arn: string, versionId: string, stage: string): Promise<void>;
  /** The version AWSCURRENT is on now. */
  currentVersionId(arn: string): Promise<string | undefined>;
}

export class SecretsManagerMaskingStore implements MaskingSecretStore {
  constructor(readonly client: Pick<SecretsManagerClient, 'send'>) {}

  async readCurrent(arn: string): Promise<{ versionId: string; secretString: string }> {
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof out.SecretString !== 'string' || !out.VersionId) throw new Error(`secret ${arn} has no SecretString`);
    return { versionId: out.VersionId, secretString: out.SecretString };
  }

  async stage(arn: string, secretString: string, requestToken: string, stage: string): Promise<string> {
    const out = await this.client.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: secretString, ClientRequestToken: requestToken, VersionStages: [stage] }),
    );
    if (!out.VersionId) throw new Error(`secret ${arn}: PutSecretValue returned no VersionId`);
    return out.VersionId;
  }

  async promote(arn: string, versionId: string, expectedCurrent: string): Promise<void> {
    await this.client.send(
      new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: CURRENT, MoveToVersionId: versionId, RemoveFromVersionId: expectedCurrent }),
    );
  }

  async unstage(arn: string, versionId: string, stage: string): Promise<void> {
    await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: stage, RemoveFromVersionId: versionId }));
  }

  async currentVersionId(arn: string): Promise<string | undefined> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: arn }));
    return Object.entries(out.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes(CURRENT))?.[0];
  }
}

export interface SecretRotation extends RotationSummary {
  applied: boolean;
  versionId?: string;
}

/** AWSCURRENT moved between the read and the promotion: another rotation (or a hand edit) won. */
export class RotationConflictError extends Error {
  override readonly name = 'RotationConflictError';
}

/**
 * Adds a key version to the keyring in Secrets Manager, in memory only: the
 * key material goes from the CSPRNG into PutSecretValue and nowhere else (no
 * shell variable, no temporary file, no terminal), which is why this is code
 * and not a printed aws CLI recipe. Without `apply` it only reads and reports
 * what it would do. The new version is staged under ROTATION_STAGE, then made
 * current with a compare-and-swap (AWSCURRENT moves only from the version
 * that was read), so two overlapping rotations cannot both add v(N+1): the
 * second finds AWSCURRENT moved, withdraws its staged version and says so.
 * The previous version stays as AWSPREVIOUS.
 */
export async function rotateMaskingSecret(store: MaskingSecretStore, arn: string, options: { apply: boolean }): Promise<SecretRotation> {
  const read = await store.readCurrent(arn);
  const keyring = parseKeyring(read.secretString, `MASKING_SECRET_ARN ${arn}`);
  const { keyring: rotated, summary } = withNewVersion(keyring);
  if (!options.apply) return { ...summary, applied: false };
  const text = serializeKeyring(rotated);
  parseKeyring(text, 'the rotated keyring'); // what we store must load
  // A fixed token per attempt: an SDK retry of this call cannot store two versions.
  const versionId = await store.stage(arn, text, randomUUID(), ROTATION_STAGE);
  try {
    await store.promote(arn, versionId, read.versionId);
  } catch (error) {
    await store.unstage(arn, versionId, ROTATION_STAGE).catch(() => undefined);
    if ((await store.currentVersionId(arn).catch(() => read.versionId)) !== read.versionId) {
      throw new RotationConflictError(
        `${arn} changed while rotating (another rotation?): ${summary.current} was not made current and its staged version was withdrawn; run rotate-key again`,
        { cause: error },
      );
    }
    throw error;
  }
  // Tidy: the label has done its job (AWSCURRENT now marks the version).
  await store.unstage(arn, versionId, ROTATION_STAGE).catch(() => undefined);
  return { ...summary, applied: true, versionId };
}
