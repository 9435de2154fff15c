import { Aws, CfnOutput, Fn } from 'aws-cdk-lib';
import type { LoginEtlStack } from './login-etl-stack.js';

/** What an operator needs after a deploy: queue URLs, names, log groups, ARNs, the operator roles. */
export function addStackOutputs(stack: LoginEtlStack): void {
  const out = (id: string, value: string, description: string) => new CfnOutput(stack, id, { value, description });
  const { ingest, pipeline, schema, maintenance, monitoring, database, keys, operators, network } = stack;
  out('QueueUrl', ingest.queue.queueUrl, 'Send login events here');
  out('DeadLetterQueueUrl', ingest.deadLetterQueue.queueUrl, 'Messages that exhausted their retries');
  out('DeadLetterQueueArn', ingest.deadLetterQueue.queueArn, 'For aws sqs start-message-move-task (redrive)');
  out('FunctionName', pipeline.fn.functionName, 'The pipeline Lambda function');
  out('FunctionLogGroup', pipeline.logGroup.logGroupName, 'Pipeline logs (aws logs tail ... --follow)');
  out('MigrationLogGroup', schema.logGroup.logGroupName, 'Schema migration logs (read these if a deploy fails on the trigger)');
  out('MaintenanceFunctionName', maintenance.fn.functionName, 'The daily maintenance function (partitions ahead, retention)');
  out('MaintenanceLogGroup', maintenance.logGroup.logGroupName, 'Maintenance logs: one line per action, and why a run failed');
  out(
    'DashboardUrl',
    `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${stack.stackName}`,
    'CloudWatch dashboard',
  );
  out('AlarmTopicArn', monitoring.topic.topicArn, 'Subscribe here for alarm notifications');
  out('ProxyEndpoint', database.proxy.endpoint, 'RDS Proxy endpoint (TLS + IAM auth end to end)');
  if (database.readOnlyEndpoint && database.server.readerAddress !== undefined) {
    out('ProxyReadOnlyEndpoint', database.readOnlyEndpoint.endpoint, 'RDS Proxy endpoint to the Aurora reader (read-only sessions, same sign-in)');
    out('ReaderEndpoint', database.server.readerAddress, 'Aurora reader endpoint (its security group admits only the proxy, the migrator and rotation)');
  }
  out('DatabaseSecretArn', database.adminSecret.secretArn, 'RDS master login (schema migrator only; rotated every 30 days)');
  out('MaskingSecretArn', keys.maskingSecret.secretArn, 'HMAC masking keyring');
  out('VaultKeyArn', keys.vaultKey.keyArn, 'PII vault key-encryption key');
  if (operators.securityGroup) {
    out('OperatorSecurityGroupId', operators.securityGroup.securityGroupId, 'Attach to the operator host in the VPC');
    out('OperatorSubnetIds', Fn.join(',', network.vpc.selectSubnets(network.appSubnets).subnetIds), 'Subnets for the operator host (app tier)');
  }
  for (const { name, login, role } of operators.operators) {
    // Names are [a-z0-9_]; an uppercase U for "_" keeps ids distinct and alphanumeric.
    out(`OperatorRoleArn${name.replace(/_/g, 'U')}`, role.roleArn, `Operator ${name}: assume to sign in as ${login}`);
  }
}
