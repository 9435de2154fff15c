import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { METRIC_NAMESPACE_DEFAULT, MetricName, SERVICE_DIMENSION } from '../../lambda/observability/metric-names.js';
import type { DatabaseMetrics } from './database-server.js';

export interface MetricSources {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly fn: lambda.IFunction;
  /** The scheduled maintenance function. */
  readonly maintenanceFn: lambda.IFunction;
  /** The database server's own metrics and alarms, from its engine. */
  readonly database: DatabaseMetrics;
  readonly proxy: rds.IDatabaseProxy;
  /** Powertools `service` dimension the function emits with. */
  readonly serviceName: string;
}

export const MINUTE = Duration.minutes(1);
export const FIVE_MINUTES = Duration.minutes(5);
export const HOUR = Duration.hours(1);

/**
 * Every metric the alarms and the dashboard read, built once so both show
 * the same statistic over the same period.
 */
export class PipelineMetrics {
  // Queue
  readonly queueVisible: cloudwatch.Metric;
  readonly queueInFlight: cloudwatch.Metric;
  readonly oldestMessageAge: cloudwatch.Metric;
  readonly deadLetters: cloudwatch.Metric;
  /** Counts from when a message was moved to the DLQ. */
  readonly oldestDeadLetterAge: cloudwatch.Metric;
  // Function
  readonly errors: cloudwatch.Metric;
  readonly throttles: cloudwatch.Metric;
  readonly maxDuration: cloudwatch.Metric;
  readonly concurrency: cloudwatch.Metric;
  // Scheduled maintenance
  readonly maintenanceErrors: cloudwatch.Metric;
  /** Successful runs per hour: a daily run leaves one hour of the day at 1. */
  readonly maintenanceSucceeded: cloudwatch.Metric;
  /** The database server (AWS/RDS): the instance, or Aurora's writer. */
  readonly database: DatabaseMetrics;
  // RDS Proxy (AWS/RDS, ProxyName)
  /** Microseconds. */
  readonly borrowLatency: cloudwatch.Metric;
  readonly failedAuthentications: cloudwatch.Metric;
  readonly clientConnections: cloudwatch.Metric;
  readonly proxyDatabaseConnections: cloudwatch.Metric;
  readonly pinnedSessions: cloudwatch.Metric;

  readonly #serviceName: string;

  constructor(s: MetricSources) {
    this.#serviceName = s.serviceName;
    const max = { period: MINUTE, statistic: 'Maximum' };
    this.queueVisible = s.queue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'Waiting' });
    this.queueInFlight = s.queue.metricApproximateNumberOfMessagesNotVisible({ ...max, label: 'In flight' });
    this.oldestMessageAge = s.queue.metricApproximateAgeOfOldestMessage({ ...max, label: 'Oldest message (s)' });
    this.deadLetters = s.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...max, label: 'DLQ messages' });
    this.oldestDeadLetterAge = s.deadLetterQueue.metricApproximateAgeOfOldestMessage({
      period: FIVE_MINUTES,
      statistic: 'Maximum',
      label: 'Oldest dead letter (s)',
    });

    this.errors = s.fn.metricErrors({ period: MINUTE, statistic: 'Sum', label: 'Function errors' });
    this.throttles = s.fn.metricThrottles({ period: MINUTE, statistic: 'Sum', label: 'Function throttles' });
    this.maxDuration = s.fn.metricDuration({ ...max, label: 'Function duration max (ms)' });
    this.concurrency = s.fn.metric('ConcurrentExecutions', { ...max, label: 'Concurrent executions' });

    this.maintenanceErrors = s.maintenanceFn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: 'Maintenance errors' });
    this.maintenanceSucceeded = this.pipeline(MetricName.MaintenanceSucceeded, 'Sum', 'Maintenance runs succeeded').with({ period: HOUR });

    this.database = s.database;

    const proxy = (metricName: string, statistic: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { ProxyName: s.proxy.dbProxyName },
        statistic,
        period: MINUTE,
        label,
      });
    this.borrowLatency = proxy('DatabaseConnectionsBorrowLatency', 'Average', 'Proxy borrow latency (µs)');
    this.failedAuthentications = proxy('ClientConnectionsSetupFailedAuth', 'Sum', 'Proxy failed sign-ins');
    this.clientConnections = proxy('ClientConnections', 'Maximum', 'Proxy ClientConnections');
    this.proxyDatabaseConnections = proxy('DatabaseConnections', 'Maximum', 'Proxy DatabaseConnections');
    this.pinnedSessions = proxy('DatabaseConnectionsCurrentlySessionPinned', 'Maximum', 'Proxy pinned sessions');
  }

  /** A pipeline metric, at the service level (Powertools' `service` dimension). */
  pipeline(name: MetricName, statistic = 'Sum', label?: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE_DEFAULT,
      metricName: name,
      dimensionsMap: { [SERVICE_DIMENSION]: this.#serviceName },
      statistic,
      period: MINUTE,
      ...(label ? { label } : {}),
    });
  }
}
