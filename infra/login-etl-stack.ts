import { Aws, CfnOutput, Duration, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LoginEtlSettings } from './context.js';
import { Database } from './constructs/database.js';
import { IngestQueue } from './constructs/ingest-queue.js';
import { Monitoring } from './constructs/monitoring.js';
import { Network } from './constructs/network.js';
import { PiiKeys } from './constructs/pii-keys.js';
import { PipelineFunction } from './constructs/pipeline-function.js';
import { SchemaMigration } from './constructs/schema-migration.js';

export interface LoginEtlStackProps extends StackProps {
  readonly settings: LoginEtlSettings;
}

/**
 * login-etl: SQS queue → Lambda (in an egress-less VPC) → RDS Proxy →
 * PostgreSQL, with the masking keyring and vault KEK only the function can
 * use, migrations run before the function takes traffic, alarms and a
 * dashboard. Environment-agnostic: it deploys to the CLI's account/region.
 */
export class LoginEtlStack extends Stack {
  readonly pipeline: PipelineFunction;
  readonly ingest: IngestQueue;
  readonly database: Database;
  readonly keys: PiiKeys;
  readonly schema: SchemaMigration;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: LoginEtlStackProps) {
    super(scope, id, { terminationProtection: props.settings.prod, ...props });
    const { settings } = props;
    const { prod } = settings;
    Tags.of(this).add('project', 'login-etl');

    const network = new Network(this, 'Network', { prod });
    this.database = new Database(this, 'Database', {
      network,
      prod,
      instanceType: settings.dbInstanceType,
      stackName: this.stackName,
    });
    this.keys = new PiiKeys(this, 'PiiKeys', { prod, stackName: this.stackName });
    this.ingest = new IngestQueue(this, 'Ingest', {
      fifo: settings.fifo,
      maxReceiveCount: settings.maxReceiveCount,
      // Lambda's rule: at least 6 × the function timeout (+ the batching
      // window), so a message is not redelivered while a retried invocation
      // still holds it.
      visibilityTimeout: Duration.seconds(6 * settings.timeoutSeconds + settings.maxBatchingWindowSeconds),
      prod,
    });
    this.pipeline = new PipelineFunction(this, 'Pipeline', {
      network,
      database: this.database,
      keys: this.keys,
      queue: this.ingest.queue,
      settings,
    });
    this.schema = new SchemaMigration(this, 'Schema', {
      network,
      database: this.database,
      before: [this.pipeline.fn, this.pipeline.mapping],
      prod,
      sourceMaps: settings.sourceMaps,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      fn: this.pipeline.fn,
      instance: this.database.instance,
      proxy: this.database.proxy,
      serviceName: settings.serviceName,
      oldestMessageAlarmSeconds: settings.oldestMessageAlarmSeconds,
      dashboardName: this.stackName,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    if (!prod) {
      // Deliberate non-production posture; prod=true turns each on.
      const instance = this.database.instance;
      Validations.of(instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'Non-production deploy (prod=false): single-AZ halves the instance cost; prod=true enables Multi-AZ.',
      });
      Validations.of(instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason:
          'Non-production deploy (prod=false) must be removable by cdk destroy; prod=true enables deletion protection and snapshot-on-delete.',
      });
    }
    Validations.of(this.database.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'A non-default port is obscurity, not control: the instance sits in isolated subnets and its security group admits only the proxy and the rotation function.',
    });

    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('QueueUrl', this.ingest.queue.queueUrl, 'Send login events here');
    out('DeadLetterQueueUrl', this.ingest.deadLetterQueue.queueUrl, 'Messages that exhausted their retries');
    out('DeadLetterQueueArn', this.ingest.deadLetterQueue.queueArn, 'For aws sqs start-message-move-task (redrive)');
    out('FunctionName', this.pipeline.fn.functionName, 'The pipeline Lambda function');
    out('FunctionLogGroup', this.pipeline.logGroup.logGroupName, 'Pipeline logs (aws logs tail ... --follow)');
    out(
      'MigrationLogGroup',
      this.schema.logGroup.logGroupName,
      'Schema migration logs (read these if a deploy fails on the trigger)',
    );
    out(
      'DashboardUrl',
      `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.stackName}`,
      'CloudWatch dashboard',
    );
    out('AlarmTopicArn', this.monitoring.topic.topicArn, 'Subscribe here for alarm notifications');
    out('ProxyEndpoint', this.database.proxy.endpoint, 'RDS Proxy endpoint (TLS + IAM auth)');
    out('DatabaseSecretArn', this.database.secret.secretArn, 'RDS admin credentials (rotated every 30 days)');
    out('MaskingSecretArn', this.keys.maskingSecret.secretArn, 'HMAC masking keyring');
    out('VaultKeyArn', this.keys.vaultKey.keyArn, 'PII vault key-encryption key');
  }
}
