import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { MetricName } from '../../lambda/observability/metric-names.js';
import { FIVE_MINUTES, type PipelineMetrics } from './monitoring-metrics.js';

/**
 * One alarm, as data. The deployed alarm is named `<stack>-<name>`;
 * docs/operations.md lists every name (a test holds the two equal).
 */
export interface AlarmSpec {
  readonly name: string;
  readonly metric: cloudwatch.IMetric;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly threshold: number;
  /** Alarm when `datapointsToAlarm` of the last `evaluationPeriods` periods breach. */
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly description: string;
  /** Missing data is fine (the default: metrics come only with work), unless the metric's absence is the failure. */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

export interface AlarmLimits {
  readonly oldestMessageAlarmSeconds: number;
  /** How long a dead letter may wait before someone is told it will expire. */
  readonly deadLetterAlarmAge: Duration;
  readonly functionTimeout: Duration;
}

export const ABOVE = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
export const BELOW = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
const AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

/** How long without a successful maintenance run before someone is told: two daily runs missed. */
export const MAINTENANCE_SILENCE_HOURS = 48;

/** The queues: logins waiting too long, or given up on. */
export function queueAlarms(m: PipelineMetrics, limits: AlarmLimits): AlarmSpec[] {
  const deadLetterAgeSeconds = limits.deadLetterAlarmAge.toSeconds();
  return [
    {
      // Anything in the DLQ has exhausted its retries: a person must look.
      name: 'DeadLetters',
      metric: m.deadLetters,
      comparison: ABOVE,
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: 'Messages in the login DLQ: read them, fix the cause, then redrive (docs/operations.md).',
    },
    {
      name: 'DeadLetterAge',
      metric: m.oldestDeadLetterAge,
      comparison: ABOVE,
      threshold: deadLetterAgeSeconds,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: `A dead letter has waited over ${deadLetterAgeSeconds} s in the DLQ: redrive it before the DLQ's retention expires it.`,
    },
    {
      name: 'OldestMessageAge',
      metric: m.oldestMessageAge,
      comparison: ABOVE,
      threshold: limits.oldestMessageAlarmSeconds,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      description: `The oldest login message has waited over ${limits.oldestMessageAlarmSeconds} s: the pipeline is falling behind or stopped.`,
    },
  ];
}

/**
 * The function and its records. "3 of 5 minutes" for failures SQS retries
 * anyway: one transient blip is not an outage; a sustained rate is (usually
 * the database).
 */
export function functionAlarms(m: PipelineMetrics, limits: AlarmLimits): AlarmSpec[] {
  const nearTimeoutMs = Math.round(limits.functionTimeout.toMilliseconds() * 0.8);
  const sustained = { comparison: ABOVE, threshold: 0, evaluationPeriods: 5, datapointsToAlarm: 3 };
  return [
    {
      name: 'FunctionErrors',
      metric: m.errors,
      ...sustained,
      description: 'The pipeline function is failing whole batches (a full-batch failure throws).',
    },
    {
      name: 'FunctionThrottles',
      metric: m.throttles,
      ...sustained,
      description: 'The pipeline function is throttled: account concurrency is exhausted.',
    },
    {
      name: 'FunctionDuration',
      metric: m.maxDuration,
      ...sustained,
      threshold: nearTimeoutMs,
      description: `Invocations run over ${nearTimeoutMs} ms, 80% of the function's timeout: a slower database or larger batches will soon time out.`,
    },
    {
      name: 'RecordsFailed',
      metric: m.pipeline(MetricName.RecordsFailed, 'Sum', 'Failed (retried)'),
      ...sustained,
      description: 'Records are failing transiently and being retried (database trouble?).',
    },
    {
      name: 'RecordsQuarantined',
      metric: m.pipeline(MetricName.RecordsQuarantined, 'Sum', 'Quarantined').with({ period: FIVE_MINUTES }),
      comparison: ABOVE,
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: 'Invalid login messages were quarantined: a producer is sending bad data.',
    },
  ];
}

/**
 * What takes the database down, on either engine: CPU (on Aurora, a share of
 * what the maximum capacity offers, so 80% means near the ceiling).
 */
export function cpuAlarm(cpu: cloudwatch.IMetric): AlarmSpec {
  return {
    name: 'DatabaseCpu',
    metric: cpu,
    comparison: ABOVE,
    threshold: 80,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    description: 'Database CPU above 80% for 15 minutes: writes slow down, then batches time out.',
  };
}

/** ...and memory: under 10% of `memoryBytes` (`of` names them in the description) free for 15 minutes. */
export function freeableMemoryAlarm(freeableMemory: cloudwatch.IMetric, memoryBytes: number, of: string): AlarmSpec {
  return {
    name: 'DatabaseFreeableMemory',
    metric: freeableMemory,
    comparison: BELOW,
    threshold: Math.round(memoryBytes * 0.1),
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    description: `Under 10% of ${of} free for 15 minutes: the server will start to swap.`,
  };
}

/** The proxy: clients queueing for connections, or locked out. */
export function proxyAlarms(m: PipelineMetrics): AlarmSpec[] {
  return [
    {
      // Borrowing a pooled connection normally takes well under a millisecond.
      name: 'ProxyBorrowLatency',
      metric: m.borrowLatency,
      comparison: ABOVE,
      threshold: 100_000, // microseconds
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: 'Clients wait over 100 ms for a database connection from the proxy: the pool is exhausted or the database slow to accept.',
    },
    {
      name: 'ProxyFailedAuth',
      metric: m.failedAuthentications.with({ period: FIVE_MINUTES }),
      comparison: ABOVE,
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: 'Sign-ins to the proxy failed (IAM token, rds-db:connect grant, TLS): the pipeline or an operator cannot connect, or someone tried a login they do not hold.',
    },
  ];
}

/**
 * The daily maintenance: a run that failed, and runs that stopped
 * succeeding altogether (failing, not scheduled, or not delivered), which
 * only the success metric's absence shows.
 */
export function maintenanceAlarms(m: PipelineMetrics): AlarmSpec[] {
  return [
    {
      name: 'MaintenanceErrors',
      metric: m.maintenanceErrors,
      comparison: AT_LEAST,
      threshold: 1,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      description: 'A maintenance run failed (Lambda retries it twice): read its log; partitions exist months ahead, so there is time.',
    },
    {
      name: 'MaintenanceMissing',
      metric: m.maintenanceSucceeded,
      comparison: BELOW,
      threshold: 1,
      evaluationPeriods: MAINTENANCE_SILENCE_HOURS,
      datapointsToAlarm: MAINTENANCE_SILENCE_HOURS,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      description: `No maintenance run has succeeded for ${MAINTENANCE_SILENCE_HOURS} hours: the schedule, its rule or the function is broken, and retention and partitions ahead are not kept.`,
    },
  ];
}
