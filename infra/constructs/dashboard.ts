import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { MetricName } from '../../lambda/observability/metric-names.js';
import { HOUR, MINUTE, type PipelineMetrics } from './monitoring-metrics.js';

export interface DashboardProps {
  readonly dashboardName: string;
  readonly metrics: PipelineMetrics;
  readonly alarms: cloudwatch.IAlarm[];
}

const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []): cloudwatch.GraphWidget =>
  new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });

/**
 * One dashboard with what docs/operations.md tells operators to watch: alarm
 * states; the pipeline (throughput, failures, latency); the queue and the
 * connections; the database server and its proxy; the daily maintenance.
 */
export function createDashboard(scope: Construct, id: string, props: DashboardProps): cloudwatch.Dashboard {
  const m = props.metrics;
  const db = m.database;
  const dashboard = new cloudwatch.Dashboard(scope, id, {
    dashboardName: props.dashboardName,
    defaultInterval: Duration.hours(3),
  });
  const recordsFailed = m.pipeline(MetricName.RecordsFailed, 'Sum', 'Failed (retried)');
  const recordsQuarantined = m.pipeline(MetricName.RecordsQuarantined, 'Sum', 'Quarantined');
  dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 4 }));
  dashboard.addWidgets(
    graph('Throughput (records/min)', [
      m.pipeline(MetricName.RecordsReceived, 'Sum', 'Received'),
      m.pipeline(MetricName.RecordsWritten, 'Sum', 'Written'),
      m.pipeline(MetricName.RecordsDuplicate, 'Sum', 'Duplicate'),
    ]),
    graph('Failures', [recordsFailed, recordsQuarantined, m.errors, m.throttles], [m.deadLetters]),
    graph(
      'Latency (ms)',
      [
        m.pipeline(MetricName.BatchWriteLatency, 'p50', 'Batch write p50'),
        m.pipeline(MetricName.BatchWriteLatency, 'p99', 'Batch write p99'),
        m.pipeline(MetricName.DbConnectLatency, 'p99', 'DB connect p99'),
      ],
      [
        m.maxDuration.with({ statistic: 'p50', label: 'Function duration p50' }),
        m.maxDuration.with({ statistic: 'p99', label: 'Function duration p99' }),
        m.maxDuration,
      ],
    ),
  );
  dashboard.addWidgets(
    graph('Queue', [m.queueVisible, m.queueInFlight], [m.oldestMessageAge, m.oldestDeadLetterAge]),
    graph(
      'Database connections',
      [db.connections, m.clientConnections, m.proxyDatabaseConnections, m.pinnedSessions],
      [m.concurrency],
    ),
    graph('Cold starts', [m.pipeline(MetricName.ColdStart, 'Sum', 'Cold starts')]),
  );
  dashboard.addWidgets(
    graph('Database CPU (%)', [db.cpu], [...db.cpuCompanions]),
    graph('Database I/O and memory', [db.writeIops, db.readIops], [db.freeableMemory, ...db.storage]),
    graph('Proxy', [m.borrowLatency], [m.failedAuthentications.with({ period: MINUTE })]),
  );
  dashboard.addWidgets(
    graph(
      'Maintenance (daily)',
      [m.maintenanceSucceeded, m.pipeline(MetricName.MaintenanceActions, 'Sum', 'Maintenance actions').with({ period: HOUR })],
      [m.maintenanceErrors],
    ),
  );
  return dashboard;
}
