import { readFile } from 'node:fs/promises';
import { KMSClient } from '@aws-sdk/client-kms';
import { Signer } from '@aws-sdk/rds-signer';
import type { Config } from './config.js';
import { SecretsManagerReader, type SecretReader } from './aws/secrets.js';
import { buildPoolConfig, type RdsSecret } from './db/connection-options.js';
import { Database } from './db/database.js';
import { PostgresLoginStore } from './db/login-store.js';
import { parseKeyring, type Keyring } from './masking/keyring.js';
import { Tokenizer } from './masking/tokenize.js';
import { DataKeyCache } from './vault/data-key-cache.js';
import { LocalKek, type KeyEncryptionKey } from './vault/key-encryption-key.js';
import { KmsKek } from './vault/kms-kek.js';

/** Everything an invocation needs, built once per sandbox. */
export interface Resources {
  database: Database;
  store: PostgresLoginStore;
  tokenizer: Tokenizer;
  keyring: Keyring;
  kek: KeyEncryptionKey;
  dataKeys: DataKeyCache;
}

/** The AWS edges, replaceable in tests (Secrets Manager and KMS cannot run here). */
export interface AwsEdges {
  secrets?: SecretReader;
  kms?: Pick<KMSClient, 'send'>;
}

export async function loadKeyring(masking: Config['masking'], secrets: () => SecretReader): Promise<Keyring> {
  if (masking.keysJson) return parseKeyring(masking.keysJson, 'MASKING_KEYS');
  if (masking.keysFile) {
    const text = await readFile(masking.keysFile, 'utf8').catch(() => {
      throw new Error(`MASKING_KEYS_FILE ${masking.keysFile} cannot be read`);
    });
    return parseKeyring(text, `MASKING_KEYS_FILE ${masking.keysFile}`);
  }
  const arn = masking.secretArn as string;
  return parseKeyring(await secrets().getSecretString(arn), `MASKING_SECRET_ARN ${arn}`);
}

async function loadKek(vault: Config['vault'], kms: () => Pick<KMSClient, 'send'>): Promise<KeyEncryptionKey> {
  if (vault.kekFile) return LocalKek.fromFile(vault.kekFile);
  return new KmsKek(vault.kmsKeyId as string, kms());
}

async function loadRdsSecret(arn: string, secrets: SecretReader): Promise<RdsSecret> {
  const parsed = JSON.parse(await secrets.getSecretString(arn)) as Partial<RdsSecret>;
  if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
    throw new Error(`DB_SECRET_ARN ${arn} is not an RDS secret (needs username and password)`);
  }
  return parsed as RdsSecret;
}

/**
 * The cached connection from configuration: the RDS secret (when given) and an
 * IAM token signer (when DB_IAM_AUTH) resolved once.
 */
export async function createDatabase(
  config: Pick<Config, 'database' | 'region'>,
  secrets: () => SecretReader = () => new SecretsManagerReader(),
): Promise<Database> {
  const db = config.database;
  const rdsSecret = db.secretArn ? await loadRdsSecret(db.secretArn, secrets()) : undefined;
  let iamPassword: (() => Promise<string>) | undefined;
  if (db.iamAuth) {
    // Tokens live 15 minutes and are needed only to open a connection.
    const signer = new Signer({
      hostname: db.host ?? rdsSecret?.host ?? '',
      port: db.port ?? rdsSecret?.port ?? 5432,
      username: db.user ?? rdsSecret?.username ?? '',
      region: config.region as string,
    });
    iamPassword = () => signer.getAuthToken();
  }
  return new Database(buildPoolConfig(db, rdsSecret, iamPassword));
}

export async function createResources(config: Config, edges: AwsEdges = {}): Promise<Resources> {
  let secretReader = edges.secrets;
  const secrets = () => (secretReader ??= new SecretsManagerReader());
  let kmsClient = edges.kms;
  const kms = () => (kmsClient ??= new KMSClient(config.region ? { region: config.region } : {}));

  const [keyring, kek, database] = await Promise.all([
    loadKeyring(config.masking, secrets),
    loadKek(config.vault, kms),
    createDatabase(config, secrets),
  ]);
  const tokenizer = new Tokenizer(keyring);
  return {
    database,
    store: new PostgresLoginStore(database),
    tokenizer,
    keyring,
    kek,
    dataKeys: new DataKeyCache(kek, config.vault.dataKeyMaxUses),
  };
}
