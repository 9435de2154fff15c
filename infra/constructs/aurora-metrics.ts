import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { BYTES_PER_ACU } from '../aurora-capacity.js';
import { ABOVE, BELOW, cpuAlarm, freeableMemoryAlarm } from './alarms.js';
import type { AuroraServerOptions } from './aurora-cluster.js';
import type { DatabaseMetrics } from './database-server.js';
import { FIVE_MINUTES, MINUTE } from './monitoring-metrics.js';

/** Local storage (temporary files, the PostgreSQL log) below this alarms; AWS tabulates no size for Serverless v2. */
export const LOW_LOCAL_STORAGE_BYTES = 1024 ** 3;

/** ACUUtilization (% of auroraMaxCapacity) above this, for 15 minutes, alarms. */
export const NEAR_MAX_CAPACITY_PERCENT = 90;

/**
 * The Aurora cluster's metrics and alarms. The writer's are read through
 * the `DBClusterIdentifier, Role=WRITER` dimensions (Aurora User Guide,
 * "Amazon CloudWatch dimensions for Aurora"), so they follow the writer
 * across a failover. On Serverless v2, CPUUtilization is a share of the CPU
 * at the maximum capacity and FreeableMemory counts the memory the maximum
 * capacity would add ("Important Amazon CloudWatch metrics for Aurora
 * Serverless v2"): both near their limit mean the writer is at its ceiling.
 */
export function auroraMetrics(cluster: rds.DatabaseCluster, { maxCapacity, reader }: AuroraServerOptions): DatabaseMetrics {
  const byRole =
    (role: 'WRITER' | 'READER') =>
    (metricName: string, statistic: string, label: string, period: Duration): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { DBClusterIdentifier: cluster.clusterIdentifier, Role: role },
        statistic,
        period,
        label,
      });
  const writer = byRole('WRITER');
  const cpu = writer('CPUUtilization', 'Average', 'CPUUtilization (%)', FIVE_MINUTES);
  const freeableMemory = writer('FreeableMemory', 'Minimum', 'FreeableMemory', FIVE_MINUTES);
  const freeLocalStorage = writer('FreeLocalStorage', 'Minimum', 'FreeLocalStorage', FIVE_MINUTES);
  const acuUtilization = writer('ACUUtilization', 'Average', 'ACUUtilization (%)', FIVE_MINUTES);
  const acus = [writer('ServerlessDatabaseCapacity', 'Maximum', 'Writer ACUs', MINUTE)];
  if (reader) acus.push(byRole('READER')('ServerlessDatabaseCapacity', 'Maximum', 'Reader ACUs', MINUTE));
  return {
    cpu,
    freeableMemory,
    writeIops: writer('WriteIOPS', 'Average', 'WriteIOPS', MINUTE),
    readIops: writer('ReadIOPS', 'Average', 'ReadIOPS', MINUTE),
    connections: writer('DatabaseConnections', 'Maximum', 'RDS DatabaseConnections', MINUTE),
    cpuCompanions: acus,
    storage: [freeLocalStorage],
    alarms: [
      cpuAlarm(cpu),
      {
        name: 'DatabaseCapacity',
        metric: acuUtilization,
        comparison: ABOVE,
        threshold: NEAR_MAX_CAPACITY_PERCENT,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        description: `The Aurora writer has used over ${NEAR_MAX_CAPACITY_PERCENT}% of its ${maxCapacity} ACUs for 15 minutes: it cannot grow further. Raise auroraMaxCapacity.`,
      },
      {
        name: 'DatabaseFreeLocalStorage',
        metric: freeLocalStorage,
        comparison: BELOW,
        threshold: LOW_LOCAL_STORAGE_BYTES,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        description: `Under ${LOW_LOCAL_STORAGE_BYTES} bytes of the Aurora writer's local storage (temporary files, logs) free for 10 minutes: sorts and index builds will fail.`,
      },
      freeableMemoryAlarm(freeableMemory, maxCapacity * BYTES_PER_ACU, `the memory of the writer's ${maxCapacity} ACUs`),
    ],
  };
}
