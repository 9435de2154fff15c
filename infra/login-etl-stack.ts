import { Aws, CfnOutput, Duration, Fn, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LoginEtlSettings } from './context.js';
import { describeInstanceClass, type InstanceClass } from './instance-class.js';
import { ALLOCATED_STORAGE_GIB, Database } from './constructs/database.js';
import { DEAD_LETTER_ALARM_AGE, IngestQueue } from './constructs/ingest-queue.js';
import { Monitoring } from './constructs/monitoring.js';
import { Network } from './constructs/network.js';
import { OperatorAccess } from './constructs/operator-access.js';
import { PiiKeys } from './constructs/pii-keys.js';
import { PipelineFunction } from './constructs/pipeline-function.js';
import { giveProvidersLogGroups } from './constructs/provider-logs.js';
import { SchemaMigration } from './constructs/schema-migration.js';

export interface LoginEtlStackProps extends StackProps {
  readonly settings: LoginEtlSettings;
}

/**
 * login-etl: SQS queue → Lambda (in an egress-less VPC) → RDS Proxy →
 * PostgreSQL, with the masking keyring and vault KEK only the pipeline and
 * the named operators can use, migrations run before the function takes
 * traffic, alarms and a dashboard. Environment-agnostic: it deploys to the
 * CLI's account/region.
 */
export class LoginEtlStack extends Stack {
  readonly network: Network;
  readonly pipeline: PipelineFunction;
  readonly ingest: IngestQueue;
  readonly database: Database;
  readonly keys: PiiKeys;
  readonly operators: OperatorAccess;
  readonly schema: SchemaMigration;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: LoginEtlStackProps) {
    super(scope, id, { terminationProtection: props.settings.prod, ...props });
    const { settings } = props;
    const { prod } = settings;
    Tags.of(this).add('project', 'login-etl');
    const instanceClass = knownInstanceClass(settings.dbInstanceType);

    const network = new Network(this, 'Network', { prod });
    this.network = network;
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
      maskingSecretArn: this.keys.maskingSecret.secretArn,
      vaultKeyArn: this.keys.vaultKey.keyArn,
      queue: this.ingest.queue,
      settings,
    });
    this.operators = new OperatorAccess(this, 'Operators', {
      names: settings.operators,
      requireMfa: settings.operatorMfa,
      network,
      database: this.database,
    });
    this.keys.admit({
      pipeline: this.pipeline.role,
      operators: this.operators.operators.map((o) => o.role),
    });
    this.schema = new SchemaMigration(this, 'Schema', {
      network,
      database: this.database,
      before: [this.pipeline.fn, this.pipeline.mapping],
      prod,
      sourceMaps: settings.sourceMaps,
      operators: settings.operators,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      fn: this.pipeline.fn,
      instance: this.database.instance,
      proxy: this.database.proxy,
      serviceName: settings.serviceName,
      oldestMessageAlarmSeconds: settings.oldestMessageAlarmSeconds,
      deadLetterAlarmAge: DEAD_LETTER_ALARM_AGE,
      functionTimeout: Duration.seconds(settings.timeoutSeconds),
      instanceClass,
      allocatedStorageBytes: ALLOCATED_STORAGE_GIB * 1024 ** 3,
      name: this.stackName,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });
    giveProvidersLogGroups(this, prod);
    this.acknowledgePosture(prod);
    this.addOutputs();
  }

  private acknowledgePosture(prod: boolean): void {
    const instance = this.database.instance;
    if (!prod) {
      // Deliberate non-production posture; prod=true turns each on.
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
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'A non-default port is obscurity, not control: the instance sits in isolated subnets and its security group admits only the proxy, the schema migrator and the rotation function.',
    });
  }

  private addOutputs(): void {
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
    out('ProxyEndpoint', this.database.proxy.endpoint, 'RDS Proxy endpoint (TLS + IAM auth end to end)');
    out('DatabaseSecretArn', this.database.adminSecret.secretArn, 'RDS master login (schema migrator only; rotated every 30 days)');
    out('MaskingSecretArn', this.keys.maskingSecret.secretArn, 'HMAC masking keyring');
    out('VaultKeyArn', this.keys.vaultKey.keyArn, 'PII vault key-encryption key');
    if (this.operators.securityGroup) {
      out('OperatorSecurityGroupId', this.operators.securityGroup.securityGroupId, 'Attach to the operator host in the VPC');
      out(
        'OperatorSubnetIds',
        Fn.join(',', this.network.vpc.selectSubnets(this.network.appSubnets).subnetIds),
        'Subnets for the operator host (app tier)',
      );
    }
    for (const { name, login, role } of this.operators.operators) {
      // Names are [a-z0-9_]; an uppercase U for "_" keeps ids distinct and alphanumeric.
      out(`OperatorRoleArn${name.replace(/_/g, 'U')}`, role.roleArn, `Operator ${name}: assume to sign in as ${login}`);
    }
  }
}

function knownInstanceClass(name: string): InstanceClass {
  const instance = describeInstanceClass(name);
  // readSettings has refused unknown classes already.
  if (!instance) throw new Error(`unknown instance class ${name}`);
  return instance;
}
