import * as z from 'zod/mini';
import { METRIC_NAMESPACE_DEFAULT, SERVICE_NAME_DEFAULT } from './observability/metric-names.js';
import { SEALS_PER_RECORD } from './pipeline/types.js';
import { DATA_KEY_USES_CAP } from './vault/data-key-cache.js';
import './zod-messages.js';

/**
 * Every environment variable login-etl reads, validated once at cold start.
 * The README's configuration table documents the same names; keep them in step.
 */
const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

const flag = (fallback: boolean) =>
  z.pipe(
    z._default(z.enum(['true', 'false', '1', '0', 'yes', 'no']), fallback ? 'true' : 'false'),
    z.transform((v) => v === 'true' || v === '1' || v === 'yes'),
  );

/** A non-empty string, optional. */
const optionalText = () => z.optional(z.string().check(z.minLength(1)));

const envSchema = z.object({
  /** postgres://user:pass@host:port/db — local runs and tests. */
  DATABASE_URL: z.optional(z.url()),
  /** Secrets Manager ARN of an RDS secret ({username,password,host,port,dbname}). */
  DB_SECRET_ARN: optionalText(),
  /** Overrides the secret's host: the RDS Proxy endpoint in AWS. */
  DB_HOST: optionalText(),
  DB_PORT: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(65535))),
  DB_NAME: optionalText(),
  DB_USER: optionalText(),
  /** Use short-lived IAM auth tokens instead of the secret's password. */
  DB_IAM_AUTH: flag(false),
  /**
   * disable | verify-full (verifies against the shipped RDS and Amazon root
   * CAs). No "require": TLS without checking the certificate stops no one who
   * can sit in the middle; see parseEnv.
   */
  DB_SSL: z._default(z.enum(['disable', 'verify-full']), 'disable'),
  DB_CONNECT_TIMEOUT_MS: positiveInt(5_000),
  DB_STATEMENT_TIMEOUT_MS: positiveInt(10_000),
  /** One per Lambda sandbox: an invocation runs one batch at a time. */
  DB_POOL_MAX: positiveInt(1),

  /** Keyring JSON: {"current":"v1","v1":"<secret>"}. */
  MASKING_KEYS: optionalText(),
  MASKING_KEYS_FILE: optionalText(),
  MASKING_SECRET_ARN: optionalText(),

  /** Vault key-encryption key: a local key file, or a KMS key id/ARN/alias. */
  VAULT_KEK_FILE: optionalText(),
  VAULT_KMS_KEY_ID: optionalText(),
  /** How many values one cached data key may seal before a new one is made; capped (see DATA_KEY_USES_CAP). */
  VAULT_DATA_KEY_MAX_USES: z._default(
    z.coerce.number().check(
      z.int(),
      z.gte(SEALS_PER_RECORD, `must be at least ${SEALS_PER_RECORD}: one record may seal that many values under one key`),
      z.lte(DATA_KEY_USES_CAP, `must be at most ${DATA_KEY_USES_CAP} (2^30): random 96-bit AES-GCM nonces must stay far below 2^32 uses of a key`),
    ),
    100_000,
  ),

  /** Throw when every record of a batch failed transiently, so Lambda backs off. */
  THROW_ON_FULL_BATCH_FAILURE: flag(true),

  /** Open SNS notifications and EventBridge events and process the login inside. */
  UNWRAP_ENVELOPES: flag(true),

  /** X-Ray subsegments via Powertools Tracer (the function also needs active tracing). */
  TRACING_ENABLED: flag(false),

  POWERTOOLS_SERVICE_NAME: z._default(z.string().check(z.minLength(1)), SERVICE_NAME_DEFAULT),
  POWERTOOLS_METRICS_NAMESPACE: z._default(z.string().check(z.minLength(1)), METRIC_NAMESPACE_DEFAULT),
  AWS_REGION: optionalText(),
});

type Env = z.infer<typeof envSchema>;

export interface Config {
  database: {
    url?: string;
    secretArn?: string;
    host?: string;
    port?: number;
    name?: string;
    user?: string;
    iamAuth: boolean;
    ssl: 'disable' | 'verify-full';
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    poolMax: number;
  };
  masking: { keysJson?: string; keysFile?: string; secretArn?: string };
  vault: { kekFile?: string; kmsKeyId?: string; dataKeyMaxUses: number };
  throwOnFullBatchFailure: boolean;
  unwrapEnvelopes: boolean;
  tracingEnabled: boolean;
  serviceName: string;
  metricsNamespace: string;
  region?: string;
}

/** A bad or missing setting, named so the operator knows what to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`configuration: ${variable} ${problem}`);
  }
}

/**
 * Settings given by exactly one of several variables: the pipeline needs
 * one; the local tools fall back to their own keys when none is set. Never
 * two: which one would win is not obvious to whoever set them.
 */
const EXCLUSIVE_VARIABLES = {
  masking: { names: ['MASKING_KEYS', 'MASKING_KEYS_FILE', 'MASKING_SECRET_ARN'], gives: 'masking keyring' },
  vault: { names: ['VAULT_KEK_FILE', 'VAULT_KMS_KEY_ID'], gives: 'vault key-encryption key' },
} as const;

type ExclusiveGroup = keyof typeof EXCLUSIVE_VARIABLES;
type ExclusiveName<G extends ExclusiveGroup> = (typeof EXCLUSIVE_VARIABLES)[G]['names'][number];

/**
 * The variable of `group` that `env` sets, or undefined when none is set (an
 * empty value is unset); two or more are a ConfigError naming them.
 */
export function chosenVariable<G extends ExclusiveGroup>(group: G, env: Readonly<Record<string, unknown>>): ExclusiveName<G> | undefined {
  const { names, gives } = EXCLUSIVE_VARIABLES[group];
  const set = names.filter((name) => env[name] !== undefined && env[name] !== '');
  if (set.length > 1) throw new ConfigError(set.join(' + '), `are both set: give the ${gives} one way only`);
  return set[0];
}

/** As chosenVariable(), and none set is a ConfigError too. */
function requiredVariable(group: ExclusiveGroup, env: Readonly<Record<string, unknown>>): void {
  if (chosenVariable(group, env) !== undefined) return;
  const { names, gives } = EXCLUSIVE_VARIABLES[group];
  throw new ConfigError(names.join(' | '), `is not set: one of them must give the ${gives}`);
}

function parseEnv(source: NodeJS.ProcessEnv): Env {
  // Empty strings mean "unset" here, as they do for most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  if (cleaned.DB_SSL === 'require') {
    throw new ConfigError('DB_SSL', 'is "require", which would not verify the server\'s certificate: use verify-full (or an sslmode in DATABASE_URL)');
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(variable, `is invalid: ${issue?.message ?? 'unknown problem'}`);
  }
  const env = parsed.data;
  if (env.DATABASE_URL && env.DB_SECRET_ARN) {
    throw new ConfigError('DATABASE_URL + DB_SECRET_ARN', 'are both set: give the database one way only');
  }
  if (env.DB_IAM_AUTH && !env.AWS_REGION) {
    throw new ConfigError('AWS_REGION', 'is not set: DB_IAM_AUTH needs it to sign tokens');
  }
  return env;
}

function databaseSection(env: Env): Config['database'] {
  return {
    url: env.DATABASE_URL,
    secretArn: env.DB_SECRET_ARN,
    host: env.DB_HOST,
    port: env.DB_PORT,
    name: env.DB_NAME,
    user: env.DB_USER,
    iamAuth: env.DB_IAM_AUTH,
    ssl: env.DB_SSL,
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    poolMax: env.DB_POOL_MAX,
  };
}

/**
 * The database settings alone, for tools that need no keys: the deploy-time
 * migration function, the scheduled maintenance and the operator tools
 * (least privilege: they are not given the masking keyring or the vault
 * key); with the service name and metric namespace their logs and metrics
 * carry.
 */
export function loadDatabaseConfig(
  source: NodeJS.ProcessEnv = process.env,
): Pick<Config, 'database' | 'region' | 'serviceName' | 'metricsNamespace'> {
  const env = parseEnv(source);
  return {
    database: databaseSection(env),
    region: env.AWS_REGION,
    serviceName: env.POWERTOOLS_SERVICE_NAME,
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE,
  };
}

/** Everything the pipeline needs. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = parseEnv(source);
  requiredVariable('masking', env);
  requiredVariable('vault', env);
  return {
    database: databaseSection(env),
    masking: {
      keysJson: env.MASKING_KEYS,
      keysFile: env.MASKING_KEYS_FILE,
      secretArn: env.MASKING_SECRET_ARN,
    },
    vault: {
      kekFile: env.VAULT_KEK_FILE,
      kmsKeyId: env.VAULT_KMS_KEY_ID,
      dataKeyMaxUses: env.VAULT_DATA_KEY_MAX_USES,
    },
    throwOnFullBatchFailure: env.THROW_ON_FULL_BATCH_FAILURE,
    unwrapEnvelopes: env.UNWRAP_ENVELOPES,
    tracingEnabled: env.TRACING_ENABLED,
    serviceName: env.POWERTOOLS_SERVICE_NAME,
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE,
    region: env.AWS_REGION,
  };
}
