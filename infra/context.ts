/**
 * Deploy-time settings, read from CDK context (`cdk.json` or `-c key=value`).
 *
 * Every value arrives either as JSON from cdk.json (number, boolean) or as a
 * string from the command line (`-c prod=true`); the schema accepts both.
 * Everything is checked here, before any construct exists, so a typo fails
 * `cdk synth` with the key's name instead of a CloudFormation error at deploy.
 */
import { z } from 'zod';
import { operatorLogin } from '../lambda/db/login-names.js';
import { SERVICE_NAME_DEFAULT } from '../lambda/observability/metric-names.js';
import { maintenanceSettingsSchema } from '../shared/maintenance-settings.js';
import { BATCH_SIZE, BATCHING_WINDOW_SECONDS, brokenMappingRule } from '../shared/sqs-event-source.js';
import { numberInSteps, parseValues, trueOrFalse, wholeNumber } from '../shared/values.js';
import { ACU_STEP, auroraMaxConnections, type AuroraCapacity } from './aurora-capacity.js';
import { SOURCE_MAPS_DEFAULT } from './bundling/function-bundle.js';
import { DIRECT_CONNECTIONS, MAINTENANCE_SESSIONS, PROXY_MAX_CONNECTIONS_PERCENT, proxyConnectionCapacity } from './connection-budget.js';
import { defaultMaxConnections, describeInstanceClass, KNOWN_CLASSES, type InstanceClass } from './instance-class.js';

/** The engines behind the proxy: RDS for PostgreSQL, or Aurora PostgreSQL Serverless v2. */
const DATABASE_ENGINES = ['rds', 'aurora'] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

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
  /** `rds` (an RDS for PostgreSQL instance) or `aurora` (an Aurora PostgreSQL Serverless v2 cluster). */
  readonly database: DatabaseEngine;
  /** database=aurora: the writer's (and reader's) capacity range, in ACUs. */
  readonly auroraMinCapacity: number;
  readonly auroraMaxCapacity: number;
  /** database=aurora: a reader instance in the other AZ (failover target, analysts' queries); defaults to prod. */
  readonly auroraReader: boolean;
  /** database=rds: instance class without the `db.` prefix, e.g. `t4g.micro`. */
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
  /** Node resolves stack traces through the bundled source map (a slower cold start: docs/performance.md). */
  readonly sourceMaps: boolean;
  /** X-Ray: active tracing on the pipeline function and TRACING_ENABLED for Powertools Tracer. */
  readonly tracing: boolean;
  /** The daily maintenance (shared/maintenance-settings.ts): whole months of logins kept, */
  readonly retentionMonths: number;
  /** months of partitions kept ready ahead of the current one, */
  readonly partitionMonthsAhead: number;
  /** and days a quarantined body stays sealed before it is shredded. */
  readonly quarantineBodyDays: number;
}

/** Connect + statement timeout of every client through the proxy (Database's environment, constructs/database.ts). */
export const DB_CONNECT_TIMEOUT_MS = 5_000;
export const DB_STATEMENT_TIMEOUT_MS = 10_000;

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Text matching `pattern`; the message says what was expected. */
const matching = (pattern: RegExp, what: string) => z.string({ error: `expected ${what}` }).regex(pattern, { error: `expected ${what}` });

/** An instance class infra/instance-class.ts knows (its memory sizes the alarms and the connection budget). */
const instanceClass = matching(/^[a-z0-9]+\.[a-z0-9]+$/, 'an RDS instance class without the "db." prefix, e.g. t4g.micro').transform(
  (name, ctx): InstanceClass => {
    const instance = describeInstanceClass(name);
    if (instance) return instance;
    ctx.addIssue({ code: 'custom', message: `expected a class of ${KNOWN_CLASSES}` });
    return z.NEVER;
  },
);

const SHORT_NAMES = 'expected short names separated by commas, e.g. alice,bob';

/** `-c operators=alice,bob` (or a JSON array in cdk.json): short names, each a valid login suffix, no repeats. */
const operatorNames = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((n) => n.trim()).filter((n) => n !== '') : value),
  z.array(z.string({ error: SHORT_NAMES }), { error: SHORT_NAMES }).superRefine((names, ctx) => {
    for (const [i, name] of names.entries()) {
      try {
        operatorLogin(name);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return;
      }
      if (names.indexOf(name) !== i) ctx.addIssue({ code: 'custom', message: `names "${name}" twice` });
    }
  }),
);

/**
 * Each key: what it accepts and its default. batchSize and
 * maxBatchingWindowSeconds default by queue type (see {@link readSettings});
 * rules across keys are in {@link checkRules}.
 */
const contextSchema = z.object({
  // Also names the RDS instance (`<name>-postgres`) or the Aurora cluster
  // (`<name>-aurora`): at most 63 characters, no double or trailing hyphen.
  stackName: matching(
    /^[A-Za-z](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,53}$/,
    'a stack name of at most 54 letters, digits and single hyphens, starting with a letter',
  ).default('LoginEtl'),
  prod: trueOrFalse().default(false),
  fifo: trueOrFalse().default(false),
  memorySize: wholeNumber(128, 10_240).default(512),
  timeoutSeconds: wholeNumber(1, 900).default(30),
  batchSize: wholeNumber(BATCH_SIZE.min, BATCH_SIZE.max).optional(),
  maxBatchingWindowSeconds: wholeNumber(BATCHING_WINDOW_SECONDS.min, BATCHING_WINDOW_SECONDS.max).optional(),
  maxReceiveCount: wholeNumber(1, 1_000).default(5),
  // Lambda's maxConcurrency for SQS accepts 2..1000.
  dbConnectionBudget: wholeNumber(2, 1_000).default(10),
  database: z.enum(DATABASE_ENGINES, { error: `expected ${DATABASE_ENGINES.join(' or ')}` }).default('rds'),
  // Auto-pause (a minimum of 0) is not offered: a paused writer takes
  // seconds to resume, longer than the clients' connect timeout.
  auroraMinCapacity: numberInSteps(ACU_STEP, 256, ACU_STEP).default(ACU_STEP),
  // Aurora refuses a maximum of 0.5.
  auroraMaxCapacity: numberInSteps(1, 256, ACU_STEP).default(8),
  auroraReader: trueOrFalse().optional(),
  dbInstanceType: instanceClass.prefault('t4g.micro'),
  allowBurstableProd: trueOrFalse().default(false),
  operators: operatorNames.default([]),
  operatorMfa: trueOrFalse().default(true),
  oldestMessageAlarmSeconds: wholeNumber(60, 1_209_600).default(600),
  alarmEmail: matching(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an e-mail address').optional(),
  logLevel: z
    .preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }))
    .default('INFO'),
  serviceName: matching(/^[A-Za-z0-9_.-]{1,64}$/, 'a short name (letters, digits, _ . -)').default(SERVICE_NAME_DEFAULT),
  sourceMaps: trueOrFalse().default(SOURCE_MAPS_DEFAULT),
  tracing: trueOrFalse().default(false),
  // The maintenance function's environment, with the ranges and defaults `npm run maintain` has.
  retentionMonths: maintenanceSettingsSchema.shape.retentionMonths,
  partitionMonthsAhead: maintenanceSettingsSchema.shape.monthsAhead,
  quarantineBodyDays: maintenanceSettingsSchema.shape.quarantineBodyDays,
});

export type ContextKey = keyof typeof contextSchema.shape;

/** The context keys this app reads. */
const CONTEXT_KEYS = Object.keys(contextSchema.shape) as ContextKey[];

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

/**
 * Parses and validates the context. Throws a {@link ContextError} naming the
 * first bad key; returns settings with every default filled in.
 */
export function readSettings(lookup: ContextLookup): LoginEtlSettings {
  const input = setValues(lookup);
  const { dbInstanceType: instance, alarmEmail, ...values } = parseValues(contextSchema, input, (key, expected) => {
    const contextKey = key as ContextKey;
    return new ContextError(contextKey, `is ${JSON.stringify(input[contextKey])}: ${expected}`);
  });
  const settings: LoginEtlSettings = {
    ...values,
    // Lambda's defaults differ by queue type: FIFO takes at most 10 records and no window.
    batchSize: values.batchSize ?? (values.fifo ? BATCH_SIZE.fifoMax : 100),
    maxBatchingWindowSeconds: values.maxBatchingWindowSeconds ?? (values.fifo ? 0 : 5),
    // A production cluster gets the failover target Multi-AZ gives an instance.
    auroraReader: values.auroraReader ?? values.prod,
    dbInstanceType: instance.name,
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
  };
  checkEngineKeys(settings.database, Object.keys(input) as ContextKey[]);
  checkRules(settings, instance);
  return settings;
}

/** The keys that are set: unset, or set to an empty string (`-c key=`), means "use the default". */
function setValues(lookup: ContextLookup): Partial<Record<ContextKey, unknown>> {
  const entries = CONTEXT_KEYS.map((key) => [key, lookup(key)] as const);
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined && value !== '' && value !== null));
}

/** The keys that size one engine only: setting one for the other engine is a mistake, not a no-op. */
const ENGINE_KEYS: Readonly<Record<DatabaseEngine, readonly ContextKey[]>> = {
  rds: ['dbInstanceType', 'allowBurstableProd'],
  aurora: ['auroraMinCapacity', 'auroraMaxCapacity', 'auroraReader'],
};

function checkEngineKeys(database: DatabaseEngine, setKeys: readonly ContextKey[]): void {
  for (const engine of DATABASE_ENGINES) {
    if (engine === database) continue;
    const key = ENGINE_KEYS[engine].find((k) => setKeys.includes(k));
    if (key) throw new ContextError(key, `applies to database=${engine} only, and database is ${database}`);
  }
}

/** The rules across keys, each keyed to the setting to change. */
function checkRules(settings: LoginEtlSettings, instance: InstanceClass): void {
  checkTimeout(settings.timeoutSeconds);
  checkMapping(settings);
  if (settings.database === 'aurora') {
    const capacity = { minCapacity: settings.auroraMinCapacity, maxCapacity: settings.auroraMaxCapacity };
    checkCapacityRange(capacity);
    checkAuroraConnectionBudget(capacity, settings.dbConnectionBudget, settings.operators.length);
  } else {
    checkBurstableProd(settings, instance);
    checkConnectionBudget(instance, settings.dbConnectionBudget, settings.operators.length);
  }
}

/**
 * The function must outlive one connect plus one statement plus pg's
 * client-side query timeout (statement + 1 s), or a slow database turns
 * into a Lambda timeout that hides the real error.
 */
function checkTimeout(timeoutSeconds: number): void {
  const minTimeout = Math.ceil((DB_CONNECT_TIMEOUT_MS + DB_STATEMENT_TIMEOUT_MS + 1_000) / 1_000) + 4;
  if (timeoutSeconds >= minTimeout) return;
  throw new ContextError(
    'timeoutSeconds',
    `is ${timeoutSeconds}: it must be at least ${minTimeout} s to cover the database connect (${DB_CONNECT_TIMEOUT_MS} ms) and statement (${DB_STATEMENT_TIMEOUT_MS} ms) timeouts`,
  );
}

/** Lambda's event source mapping limits (shared/sqs-event-source.ts). */
function checkMapping({ fifo, batchSize, maxBatchingWindowSeconds }: LoginEtlSettings): void {
  switch (brokenMappingRule({ fifo, batchSize, windowSeconds: maxBatchingWindowSeconds })) {
    case 'fifo-batch-size':
      throw new ContextError('batchSize', `is ${batchSize}: expected a whole number from ${BATCH_SIZE.min} to ${BATCH_SIZE.fifoMax} with fifo=true`);
    case 'fifo-window':
      throw new ContextError('maxBatchingWindowSeconds', 'must be 0 with fifo=true: Lambda takes no batching window on FIFO queues');
    case 'window-required':
      throw new ContextError('maxBatchingWindowSeconds', `must be at least 1 when batchSize (${batchSize}) is above 10`);
    case undefined:
      return;
  }
}

/**
 * A burstable class runs out of CPU credits under the steady load
 * production means (then it is throttled, or billed per surplus vCPU-hour in
 * unlimited mode), so prod=true refuses one unless the operator says it is
 * intended.
 */
function checkBurstableProd({ prod, allowBurstableProd }: LoginEtlSettings, instance: InstanceClass): void {
  if (!prod || !instance.burstable || allowBurstableProd) return;
  throw new ContextError(
    'dbInstanceType',
    `is "${instance.name}", a burstable class, with prod=true: its CPU credits run out under steady load. Choose a non-burstable class (e.g. m7g.large), or set -c allowBurstableProd=true to accept it`,
  );
}

/**
 * The pipeline's budget (one proxy session per concurrent invocation) plus
 * one session per operator and the maintenance's one must fit what the
 * proxy may open on the class.
 */
function checkConnectionBudget(instance: InstanceClass, budget: number, operators: number): void {
  const capacity = proxyConnectionCapacity(defaultMaxConnections(instance));
  if (budget + operators + MAINTENANCE_SESSIONS <= capacity) return;
  throw new ContextError(
    'dbConnectionBudget',
    `is ${budget}: with ${operators} operator session(s) and the maintenance's one that exceeds the ${capacity} sessions a ${instance.name} instance leaves the proxy (max_connections about ${defaultMaxConnections(instance)}, ${PROXY_MAX_CONNECTIONS_PERCENT}% of it for the proxy, ${DIRECT_CONNECTIONS} kept for the migrator, rotation and reserved slots); lower it or choose a larger dbInstanceType`,
  );
}

function checkCapacityRange({ minCapacity, maxCapacity }: AuroraCapacity): void {
  if (minCapacity <= maxCapacity) return;
  throw new ContextError('auroraMaxCapacity', `is ${maxCapacity}: it must be at least auroraMinCapacity (${minCapacity})`);
}

/**
 * The same budget on Aurora: Serverless v2 fixes max_connections from the
 * range's maximum ACUs (infra/aurora-capacity.ts), so the maximum is the
 * setting to raise.
 */
function checkAuroraConnectionBudget(range: AuroraCapacity, budget: number, operators: number): void {
  const maxConnections = auroraMaxConnections(range);
  const capacity = proxyConnectionCapacity(maxConnections);
  if (budget + operators + MAINTENANCE_SESSIONS <= capacity) return;
  throw new ContextError(
    'dbConnectionBudget',
    `is ${budget}: with ${operators} operator session(s) and the maintenance's one that exceeds the ${capacity} sessions an Aurora writer of ${range.minCapacity}-${range.maxCapacity} ACUs leaves the proxy (max_connections ${maxConnections}, ${PROXY_MAX_CONNECTIONS_PERCENT}% of it for the proxy, ${DIRECT_CONNECTIONS} kept for the migrator, rotation and reserved slots); lower it or raise auroraMaxCapacity`,
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
