import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads a secret's string. An interface so tests can stand in for AWS. */
export interface SecretReader {
  getSecretString(arn: string): Promise<string>;
}

export class SecretsManagerReader implements SecretReader {
  readonly #client: Pick<SecretsManagerClient, 'send'>;

  constructor(client: Pick<SecretsManagerClient, 'send'> = new SecretsManagerClient({})) {
    this.#client = client;
  }

  async getSecretString(arn: string): Promise<string> {
    const out = await this.#client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof out.SecretString !== 'string') throw new Error(`secret ${arn} has no SecretString`);
    return out.SecretString;
  }
}
