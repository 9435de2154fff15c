import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { LoginEtlSettings } from '../context.js';
import { functionAlarms, maintenanceAlarms, proxyAlarms, queueAlarms, type AlarmLimits, type AlarmSpec } from './alarms.js';
import { createDashboard } from './dashboard.js';
import { DEAD_LETTER_ALARM_AGE } from './ingest-queue.js';
import { PipelineMetrics, type MetricSources } from './monitoring-metrics.js';

export interface MonitoringProps extends Omit<MetricSources, 'serviceName'> {
  /** serviceName, the alarm thresholds, the function's timeout and alarmEmail. */
  readonly settings: LoginEtlSettings;
  /** Names the dashboard and prefixes every alarm name (`<prefix>-<alarm>`). */
  readonly name: string;
}

/**
 * Alarms to an SNS topic and one dashboard. Every alarm but one treats
 * missing data as fine: the pipeline emits its metrics only when it has
 * work, and RDS reports some (CPU credits) only for some classes. The
 * exception is the maintenance's success metric, whose absence is the alarm.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    // No KMS on this topic: alarm notifications carry no data, and CloudWatch
    // can publish to an encrypted topic only through a customer key whose
    // policy admits it. enforceSSL is cdk-nag SNS3.
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'login-etl alarms', enforceSSL: true });
    const { settings } = props;
    if (settings.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    }

    const metrics = new PipelineMetrics({ ...props, serviceName: settings.serviceName });
    const limits: AlarmLimits = {
      oldestMessageAlarmSeconds: settings.oldestMessageAlarmSeconds,
      deadLetterAlarmAge: DEAD_LETTER_ALARM_AGE,
      functionTimeout: Duration.seconds(settings.timeoutSeconds),
    };
    const specs = [...queueAlarms(metrics, limits), ...functionAlarms(metrics, limits), ...props.database.alarms, ...proxyAlarms(metrics), ...maintenanceAlarms(metrics)];
    this.alarms = specs.map((spec) => this.alarm(spec, props.name));

    this.dashboard = createDashboard(this, 'Dashboard', {
      dashboardName: props.name,
      metrics,
      alarms: this.alarms,
    });
  }

  private alarm(spec: AlarmSpec, prefix: string): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, spec.name, {
      alarmName: `${prefix}-${spec.name}`,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    return alarm;
  }
}
