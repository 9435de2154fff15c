import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';

interface Version {
  secretString: string;
  requestToken: string;
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * An in-memory Secrets Manager for one secret, with the staging-label rules
 * the rotation relies on (docs: PutSecretValue, UpdateSecretVersionStage):
 * a label is on at most one version; PutSecretValue without VersionStages
 * moves AWSCURRENT, with them attaches only those (taking them off any other
 * version); the same ClientRequestToken with the same value is a no-op, with
 * another value an error; moving a label that is on another version needs
 * RemoveFromVersionId naming that version, else InvalidParameterException;
 * moving AWSCURRENT puts AWSPREVIOUS on its former version. Mocks are for
 * AWS APIs only; this one stands in for the four calls rotate-key makes.
 */
export class FakeSecretsManager {
  readonly versions = new Map<string, Version>();
  readonly labels = new Map<string, string>();
  /** Awaited before every call: lets a test interleave two rotations. */
  gate: (command: unknown) => Promise<void> = async () => undefined;

  constructor(initial: string) {
    const id = randomUUID();
    this.versions.set(id, { secretString: initial, requestToken: id });
    this.labels.set('AWSCURRENT', id);
  }

  get current(): string {
    const id = this.labels.get('AWSCURRENT') as string;
    return (this.versions.get(id) as Version).secretString;
  }

  stagesOf(versionId: string): string[] {
    return [...this.labels].filter(([, id]) => id === versionId).map(([label]) => label).sort();
  }

  async send(command: unknown): Promise<Record<string, unknown>> {
    await this.gate(command);
    if (command instanceof GetSecretValueCommand) {
      const id = command.input.VersionId ?? this.labels.get(command.input.VersionStage ?? 'AWSCURRENT');
      const version = id ? this.versions.get(id) : undefined;
      if (!id || !version) throw awsError('ResourceNotFoundException', 'no such version');
      return { VersionId: id, SecretString: version.secretString, VersionStages: this.stagesOf(id) };
    }
    if (command instanceof PutSecretValueCommand) return this.#put(command.input);
    if (command instanceof UpdateSecretVersionStageCommand) return this.#updateStage(command.input);
    if (command instanceof DescribeSecretCommand) {
      return { VersionIdsToStages: Object.fromEntries([...this.versions.keys()].map((id) => [id, this.stagesOf(id)])) };
    }
    throw new Error('unexpected command');
  }

  #put(input: PutSecretValueCommand['input']): Record<string, unknown> {
    const token = input.ClientRequestToken ?? randomUUID();
    const existing = [...this.versions].find(([, v]) => v.requestToken === token);
    if (existing) {
      if (existing[1].secretString !== input.SecretString) throw awsError('ResourceExistsException', 'token reused with another value');
      return { VersionId: existing[0] };
    }
    const id = randomUUID();
    this.versions.set(id, { secretString: input.SecretString ?? '', requestToken: token });
    for (const label of input.VersionStages ?? ['AWSCURRENT']) this.#attach(label, id);
    return { VersionId: id, VersionStages: this.stagesOf(id) };
  }

  #updateStage(input: UpdateSecretVersionStageCommand['input']): Record<string, unknown> {
    const label = input.VersionStage as string;
    const holder = this.labels.get(label);
    if (input.MoveToVersionId === undefined) {
      if (holder !== input.RemoveFromVersionId) throw awsError('InvalidParameterException', `${label} is not on that version`);
      this.labels.delete(label);
      return {};
    }
    if (!this.versions.has(input.MoveToVersionId)) throw awsError('ResourceNotFoundException', 'no such version');
    if (holder !== undefined && holder !== input.MoveToVersionId && holder !== input.RemoveFromVersionId) {
      throw awsError('InvalidParameterException', `${label} is on version ${holder}, which RemoveFromVersionId does not name`);
    }
    this.#attach(label, input.MoveToVersionId);
    return {};
  }

  #attach(label: string, id: string): void {
    const former = this.labels.get(label);
    if (label === 'AWSCURRENT' && former !== undefined && former !== id) this.labels.set('AWSPREVIOUS', former);
    this.labels.set(label, id);
  }

  client(): Pick<SecretsManagerClient, 'send'> {
    return this as unknown as Pick<SecretsManagerClient, 'send'>;
  }
}
