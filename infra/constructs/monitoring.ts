import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE_DEFAULT, MetricName, SERVICE_DIMENSION } from '../../lambda/observability/metric-names.js';

export interface MonitoringProps {
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly fn: lambda.IFunction;
  readonly instance: rds.IDatabaseInstance;
  readonly proxy: rds.IDatabaseProxy;
  /** Powertools `service` dimension the function emits with. */
  readonly serviceName: string;
  readonly oldestMessageAlarmSeconds: number;
  readonly alarmEmail?: string;
  readonly dashboardName: string;
}

const MINUTE = Duration.minutes(1);

/**
 * Alarms to an SNS topic and one dashboard. Every alarm treats missing data
 * as fine: the pipeline emits its metrics only when it has work.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { queue, deadLetterQueue: dlq, fn } = props;

    // No KMS on this topic: alarm notifications carry no data, and CloudWatch
    // can publish to an encrypted topic only through a customer key whose
    // policy admits it. enforceSSL is cdk-nag SNS3.
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'login-etl alarms', enforceSSL: true });
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    /** A pipeline metric, at the service level (Powertools' `service` dimension). */
    const pipeline = (name: MetricName, statistic = 'Sum', label?: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE_DEFAULT,
        metricName: name,
        dimensionsMap: { [SERVICE_DIMENSION]: props.serviceName },
        statistic,
        period: MINUTE,
        ...(label ? { label } : {}),
      });
    const proxyMetric = (metricName: string, label: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/RDS',
        metricName,
        dimensionsMap: { ProxyName: props.proxy.dbProxyName },
        statistic: 'Maximum',
        period: MINUTE,
        label,
      });

    const dlqDepth = dlq.metricApproximateNumberOfMessagesVisible({
      period: MINUTE,
      statistic: 'Maximum',
      label: 'DLQ messages',
    });
    const oldestAge = queue.metricApproximateAgeOfOldestMessage({
      period: MINUTE,
      statistic: 'Maximum',
      label: 'Oldest message (s)',
    });
    const errors = fn.metricErrors({ period: MINUTE, statistic: 'Sum', label: 'Function errors' });
    const throttles = fn.metricThrottles({ period: MINUTE, statistic: 'Sum', label: 'Function throttles' });
    const recordsFailed = pipeline(MetricName.RecordsFailed, 'Sum', 'Failed (retried)');
    const recordsQuarantined = pipeline(MetricName.RecordsQuarantined, 'Sum', 'Quarantined');

    // Anything in the DLQ has exhausted its retries: a person must look.
    this.alarm(
      'DeadLetters',
      dlqDepth,
      0,
      1,
      1,
      'Messages in the login DLQ: read them, fix the cause, then redrive (docs/deploy.md).',
    );
    this.alarm(
      'OldestMessageAge',
      oldestAge,
      props.oldestMessageAlarmSeconds,
      3,
      3,
      `The oldest login message has waited over ${props.oldestMessageAlarmSeconds} s: the pipeline is falling behind or stopped.`,
    );
    // "3 of 5 minutes" for failures SQS retries anyway: one transient blip is
    // not an outage; a sustained rate is (usually the database).
    this.alarm(
      'FunctionErrors',
      errors,
      0,
      5,
      3,
      'The pipeline function is failing whole batches (a full-batch failure throws).',
    );
    this.alarm(
      'FunctionThrottles',
      throttles,
      0,
      5,
      3,
      'The pipeline function is throttled: account concurrency is exhausted.',
    );
    this.alarm(
      'RecordsFailed',
      recordsFailed,
      0,
      5,
      3,
      'Records are failing transiently and being retried (database trouble?).',
    );
    this.alarm(
      'RecordsQuarantined',
      recordsQuarantined.with({ period: Duration.minutes(5) }),
      0,
      1,
      1,
      'Invalid login messages were quarantined: a producer is sending bad data.',
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      right: cloudwatch.IMetric[] = [],
    ): cloudwatch.GraphWidget => new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });

    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph('Throughput (records/min)', [
        pipeline(MetricName.RecordsReceived, 'Sum', 'Received'),
        pipeline(MetricName.RecordsWritten, 'Sum', 'Written'),
        pipeline(MetricName.RecordsDuplicate, 'Sum', 'Duplicate'),
      ]),
      graph('Failures', [recordsFailed, recordsQuarantined, errors, throttles], [dlqDepth]),
      graph(
        'Latency (ms)',
        [
          pipeline(MetricName.BatchWriteLatency, 'p50', 'Batch write p50'),
          pipeline(MetricName.BatchWriteLatency, 'p99', 'Batch write p99'),
          pipeline(MetricName.DbConnectLatency, 'p99', 'DB connect p99'),
        ],
        [
          fn.metricDuration({ period: MINUTE, statistic: 'p50', label: 'Function duration p50' }),
          fn.metricDuration({ period: MINUTE, statistic: 'p99', label: 'Function duration p99' }),
        ],
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Queue',
        [
          queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum', label: 'Waiting' }),
          queue.metricApproximateNumberOfMessagesNotVisible({
            period: MINUTE,
            statistic: 'Maximum',
            label: 'In flight',
          }),
        ],
        [oldestAge],
      ),
      graph(
        'Database connections',
        [
          props.instance.metric('DatabaseConnections', {
            period: MINUTE,
            statistic: 'Maximum',
            label: 'RDS DatabaseConnections',
          }),
          proxyMetric('ClientConnections', 'Proxy ClientConnections'),
          proxyMetric('DatabaseConnections', 'Proxy DatabaseConnections'),
          proxyMetric('DatabaseConnectionsCurrentlySessionPinned', 'Proxy pinned sessions'),
        ],
        [fn.metric('ConcurrentExecutions', { period: MINUTE, statistic: 'Maximum', label: 'Concurrent executions' })],
      ),
      graph('Cold starts', [pipeline(MetricName.ColdStart, 'Sum', 'Cold starts')]),
    );
  }

  private alarm(
    id: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    evaluationPeriods: number,
    datapointsToAlarm: number,
    description: string,
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
