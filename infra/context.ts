/**
 * Deploy-time settings, read from CDK context (`cdk.json` or `-c key=value`).
 *
 * Every value arrives either as JSON from cdk.json (number, boolean) or as a
 * string from the command line (`-c prod=true`), so each reader accepts both.
 * Everything is checked here, before any construct exists, so a typo fails
 * `cdk synth` with the key's name instead of a CloudFormation error at deploy.
 */
import { operatorLogin } from '../lambda/db/logins.js';
import { SERVICE_NAME_DEFAULT } from '../lambda/observability/metric-names.js';
import { SOURCE_MAPS_DEFAULT } from './bundling/function-bundle.js';
import {
  DIRECT_CONNECTIONS,
  defaultMaxConnections,
  describeInstanceClass,
  KNOWN_CLASSES,
  PROXY_MAX_CONNECTIONS_PERCENT,
  proxyConnectionCapacity,
  type InstanceClass,
} from './instance-class.js';

/** Validated deployment settings; see docs/deploy.md for the meaning of each. */
export interface LoginEtlSettings {
  /** Stack name; change it to deploy a second copy into the same account/region. */
  readonly stackName: string;
  /** Production posture: Multi-AZ, deletion protection, RETAIN/SNAPSHOT, longer retention. */
  readonly prod: boolean;
  /** FIFO login queue instead of standard. */
  readonly fifo: boolean;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly batchSize: number;
  /** 0 = no batching window (required for FIFO). */
  readonly maxBatchingWindowSeconds: number;
  readonly maxReceiveCount: number;
  /**
   * Connections the pipeline may hold on the proxy. DB_POOL_MAX is 1 per
   * sandbox, so this is also the event source mapping's maxConcurrency.
   */
  readonly dbConnectionBudget: number;
  /** RDS instance class without the `db.` prefix, e.g. `t4g.micro`. */
  readonly dbInstanceType: string;
  /** prod=true accepts a burstable (T) instance class only with this set. */
  readonly allowBurstableProd: boolean;
  /**
   * Short names of the people who get an operator role and database login
   * (`alice` → `login_etl_op_alice`); each is checked by operatorLogin().
   */
  readonly operators: readonly string[];
  /** Operator roles may be assumed only by sessions signed in with MFA. */
  readonly operatorMfa: boolean;
  /** Alarm when the oldest queued message is older than this. */
  readonly oldestMessageAlarmSeconds: number;
  readonly alarmEmail?: string;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Powertools `service` dimension; keep distinct per copy sharing an account/region. */
  readonly serviceName: string;
  /** Node resolves stack traces through the bundled source map (16–28 ms more per cold start). */
  readonly sourceMaps: boolean;
  /** X-Ray: active tracing on the pipeline function and TRACING_ENABLED for Powertools Tracer. */
  readonly tracing: boolean;
}

/** The context keys this app reads, for error messages and docs. */
export const CONTEXT_KEYS = [
  'stackName',
  'prod',
  'fifo',
  'memorySize',
  'timeoutSeconds',
  'batchSize',
  'maxBatchingWindowSeconds',
  'maxReceiveCount',
  'dbConnectionBudget',
  'dbInstanceType',
  'allowBurstableProd',
  'operators',
  'operatorMfa',
  'oldestMessageAlarmSeconds',
  'alarmEmail',
  'logLevel',
  'serviceName',
  'sourceMaps',
  'tracing',
] as const;

export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Connect + statement timeout the function is configured with (see pipeline-function.ts). */
export const DB_CONNECT_TIMEOUT_MS = 5_000;
export const DB_STATEMENT_TIMEOUT_MS = 10_000;

/** A context value that cannot be used, named so the operator knows what to fix. */
export class ContextError extends Error {
  override readonly name = 'ContextError';
  constructor(
    readonly key: ContextKey,
    problem: string,
  ) {
    super(`context "${key}" ${problem} (set it with -c ${key}=... or in cdk.json)`);
  }
}

/** Reads one raw context value; `App.node.tryGetContext` fits this shape. */
export type ContextLookup = (key: string) => unknown;

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/**
 * Parses and validates the context. Throws a {@link ContextError} naming the
 * first bad key; returns settings with every default filled in.
 */
export function readSettings(lookup: ContextLookup): LoginEtlSettings {
  const prod = bool(lookup, 'prod', false);
  const fifo = bool(lookup, 'fifo', false);
  const timeoutSeconds = int(lookup, 'timeoutSeconds', 30, 1, 900);
  // The function must outlive one connect plus one statement plus pg's
  // client-side query timeout (statement + 1 s), or a slow database turns
  // into a Lambda timeout that hides the real error.
  const minTimeout = Math.ceil((DB_CONNECT_TIMEOUT_MS + DB_STATEMENT_TIMEOUT_MS + 1_000) / 1_000) + 4;
  if (timeoutSeconds < minTimeout) {
    throw new ContextError(
      'timeoutSeconds',
      `is ${timeoutSeconds}: it must be at least ${minTimeout} s to cover the database connect (${DB_CONNECT_TIMEOUT_MS} ms) and statement (${DB_STATEMENT_TIMEOUT_MS} ms) timeouts`,
    );
  }
  // Lambda limits: FIFO batches hold at most 10 records and take no batching
  // window; standard batches above 10 need a window of at least 1 s.
  const batchSize = int(lookup, 'batchSize', fifo ? 10 : 100, 1, fifo ? 10 : 10_000);
  const maxBatchingWindowSeconds = int(lookup, 'maxBatchingWindowSeconds', fifo ? 0 : 5, 0, 300);
  if (fifo && maxBatchingWindowSeconds > 0) {
    throw new ContextError(
      'maxBatchingWindowSeconds',
      'must be 0 with fifo=true: Lambda takes no batching window on FIFO queues',
    );
  }
  if (batchSize > 10 && maxBatchingWindowSeconds < 1) {
    throw new ContextError('maxBatchingWindowSeconds', `must be at least 1 when batchSize (${batchSize}) is above 10`);
  }
  const allowBurstableProd = bool(lookup, 'allowBurstableProd', false);
  const instance = readInstanceClass(lookup, prod, allowBurstableProd);
  const operators = readOperators(lookup);
  const dbConnectionBudget = int(lookup, 'dbConnectionBudget', 10, 2, 1_000);
  checkConnectionBudget(instance, dbConnectionBudget, operators.length);
  const settings: LoginEtlSettings = {
    stackName: str(
      lookup,
      'stackName',
      'LoginEtl',
      // Also names the RDS instance (`<name>-postgres`, at most 63 characters,
      // no double or trailing hyphen).
      /^[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,53}$/,
      'a stack name of at most 54 letters, digits and single hyphens, starting with a letter',
    ),
    prod,
    fifo,
    memorySize: int(lookup, 'memorySize', 512, 128, 10_240),
    timeoutSeconds,
    batchSize,
    maxBatchingWindowSeconds,
    maxReceiveCount: int(lookup, 'maxReceiveCount', 5, 1, 1_000),
    // Lambda's maxConcurrency for SQS accepts 2..1000.
    dbConnectionBudget,
    dbInstanceType: instance.name,
    allowBurstableProd,
    operators,
    operatorMfa: bool(lookup, 'operatorMfa', true),
    oldestMessageAlarmSeconds: int(lookup, 'oldestMessageAlarmSeconds', 600, 60, 1_209_600),
    logLevel: oneOf(lookup, 'logLevel', 'INFO', LOG_LEVELS),
    serviceName: str(
      lookup,
      'serviceName',
      SERVICE_NAME_DEFAULT,
      /^[A-Za-z0-9_.-]{1,64}$/,
      'a short name (letters, digits, _ . -)',
    ),
    sourceMaps: bool(lookup, 'sourceMaps', SOURCE_MAPS_DEFAULT),
    tracing: bool(lookup, 'tracing', false),
  };
  const alarmEmail = optionalStr(lookup, 'alarmEmail', /^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address');
  return alarmEmail === undefined ? settings : { ...settings, alarmEmail };
}

/**
 * The instance class, known to infra/instance-class.ts. A burstable class
 * runs out of CPU credits under the steady load production means (then it
 * is throttled, or billed per surplus vCPU-hour in unlimited mode), so
 * prod=true refuses one unless the operator says it is intended.
 */
function readInstanceClass(lookup: ContextLookup, prod: boolean, allowBurstableProd: boolean): InstanceClass {
  const name = str(
    lookup,
    'dbInstanceType',
    't4g.micro',
    /^[a-z0-9]+\.[a-z0-9]+$/,
    'an RDS instance class without the "db." prefix, e.g. t4g.micro',
  );
  const instance = describeInstanceClass(name);
  if (!instance) {
    throw new ContextError('dbInstanceType', `is "${name}": expected a class of ${KNOWN_CLASSES}`);
  }
  if (prod && instance.burstable && !allowBurstableProd) {
    throw new ContextError(
      'dbInstanceType',
      `is "${name}", a burstable class, with prod=true: its CPU credits run out under steady load. Choose a non-burstable class (e.g. m7g.large), or set -c allowBurstableProd=true to accept it`,
    );
  }
  return instance;
}

/** `-c operators=alice,bob` (or a JSON array in cdk.json): short names, each a valid login suffix, no repeats. */
function readOperators(lookup: ContextLookup): string[] {
  const value = raw(lookup, 'operators');
  if (value === undefined) return [];
  const names = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',').map((n) => n.trim()).filter((n) => n !== '')
      : undefined;
  if (!names?.every((n): n is string => typeof n === 'string')) {
    throw new ContextError('operators', `is ${JSON.stringify(value)}: expected short names separated by commas, e.g. alice,bob`);
  }
  for (const name of names) {
    try {
      operatorLogin(name);
    } catch (error) {
      throw new ContextError('operators', `is ${JSON.stringify(value)}: ${(error as Error).message}`);
    }
  }
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) throw new ContextError('operators', `names "${repeated}" twice`);
  return names;
}

/**
 * The pipeline's budget (one proxy session per concurrent invocation) plus
 * one session per operator must fit what the proxy may open on the class.
 */
function checkConnectionBudget(instance: InstanceClass, budget: number, operators: number): void {
  const capacity = proxyConnectionCapacity(instance);
  if (budget + operators <= capacity) return;
  throw new ContextError(
    'dbConnectionBudget',
    `is ${budget}: with ${operators} operator session(s) that exceeds the ${capacity} sessions a ${instance.name} instance leaves the proxy (max_connections about ${defaultMaxConnections(instance)}, ${PROXY_MAX_CONNECTIONS_PERCENT}% of it for the proxy, ${DIRECT_CONNECTIONS} kept for the migrator, rotation and reserved slots); lower it or choose a larger dbInstanceType`,
  );
}

/**
 * Catches `-c memorysize=1024`: a key that matches a setting except for case
 * would otherwise be ignored silently. Other unknown keys are left alone, as
 * the CDK itself stores lookups and feature flags in the same context.
 */
export function checkKeyCase(allContext: Record<string, unknown>): void {
  for (const key of Object.keys(allContext)) {
    const known = CONTEXT_KEYS.find((k) => k.toLowerCase() === key.toLowerCase());
    if (known !== undefined && known !== key) {
      throw new ContextError(known, `was given as "${key}": context keys are case-sensitive`);
    }
  }
}

/** Unset, or set to an empty string (`-c key=`), means "use the default". */
function raw(lookup: ContextLookup, key: ContextKey): unknown {
  const value = lookup(key);
  return value === '' || value === null ? undefined : value;
}

function bool(lookup: ContextLookup, key: ContextKey, fallback: boolean): boolean {
  const value = raw(lookup, key);
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ContextError(key, `is ${JSON.stringify(value)}: expected true or false`);
}

function int(lookup: ContextLookup, key: ContextKey, fallback: number, min: number, max: number): number {
  const value = raw(lookup, key);
  if (value === undefined) return fallback;
  const parsed =
    typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ContextError(key, `is ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
  }
  return parsed;
}

function str(lookup: ContextLookup, key: ContextKey, fallback: string, pattern: RegExp, what: string): string {
  return optionalStr(lookup, key, pattern, what) ?? fallback;
}

function optionalStr(lookup: ContextLookup, key: ContextKey, pattern: RegExp, what: string): string | undefined {
  const value = raw(lookup, key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ContextError(key, `is ${JSON.stringify(value)}: expected ${what}`);
  }
  return value;
}

function oneOf<T extends string>(lookup: ContextLookup, key: ContextKey, fallback: T, allowed: readonly T[]): T {
  const value = raw(lookup, key);
  if (value === undefined) return fallback;
  const upper = typeof value === 'string' ? value.toUpperCase() : value;
  const match = allowed.find((a) => a === upper);
  if (match === undefined) {
    throw new ContextError(key, `is ${JSON.stringify(value)}: expected one of ${allowed.join(', ')}`);
  }
  return match;
}
