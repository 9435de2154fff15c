import type * as rds from 'aws-cdk-lib/aws-rds';
import type { InstanceClass } from '../instance-class.js';
import { BELOW, cpuAlarm, freeableMemoryAlarm, type AlarmSpec } from './alarms.js';
import type { DatabaseMetrics } from './database-server.js';
import { FIVE_MINUTES, MINUTE } from './monitoring-metrics.js';

/**
 * The RDS instance's metrics (AWS/RDS, DBInstanceIdentifier) and alarms:
 * CPU, CPU credits on a burstable class, free storage against storage
 * autoscaling, freeable memory against the class's memory.
 */
export function instanceMetrics(instance: rds.DatabaseInstance, instanceClass: InstanceClass, allocatedStorageBytes: number): DatabaseMetrics {
  const db = { period: FIVE_MINUTES };
  const max = { period: MINUTE, statistic: 'Maximum' };
  const cpu = instance.metricCPUUtilization({ ...db, statistic: 'Average', label: 'CPUUtilization (%)' });
  const cpuCreditBalance = instance.metric('CPUCreditBalance', { ...db, statistic: 'Minimum', label: 'CPU credits' });
  const freeStorage = instance.metricFreeStorageSpace({ ...db, statistic: 'Minimum', label: 'FreeStorageSpace' });
  const freeableMemory = instance.metricFreeableMemory({ ...db, statistic: 'Minimum', label: 'FreeableMemory' });
  const lowStorage = Math.round(allocatedStorageBytes * 0.1);
  const credits: AlarmSpec = {
    // A credit is one vCPU-minute at 100%; at zero a T class runs at its
    // baseline (or, in unlimited mode, bills every surplus vCPU-minute).
    name: 'DatabaseCpuCredits',
    metric: cpuCreditBalance,
    comparison: BELOW,
    threshold: 30,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    description: `The ${instanceClass.name} instance has under 30 CPU credits left: it is about to run at its baseline. Move to a non-burstable class.`,
  };
  return {
    cpu,
    freeableMemory,
    writeIops: instance.metric('WriteIOPS', { period: MINUTE, statistic: 'Average', label: 'WriteIOPS' }),
    readIops: instance.metric('ReadIOPS', { period: MINUTE, statistic: 'Average', label: 'ReadIOPS' }),
    connections: instance.metric('DatabaseConnections', { ...max, label: 'RDS DatabaseConnections' }),
    // T classes only report credits.
    cpuCompanions: instanceClass.burstable ? [cpuCreditBalance] : [],
    storage: [freeStorage],
    alarms: [
      cpuAlarm(cpu),
      ...(instanceClass.burstable ? [credits] : []),
      {
        name: 'DatabaseFreeStorage',
        metric: freeStorage,
        comparison: BELOW,
        threshold: lowStorage,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        description: `Under ${lowStorage} bytes free for 10 minutes: storage autoscaling did not act (6-hour cool-down, or at its 100 GiB ceiling).`,
      },
      freeableMemoryAlarm(freeableMemory, instanceClass.memoryBytes, `the ${instanceClass.name} instance's memory`),
    ],
  };
}
