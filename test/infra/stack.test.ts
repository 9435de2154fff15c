/**
 * The default stack (standard queue, prod=false), synthesized once with
 * bundling and cdk-nag, then inspected.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { MetricName, METRIC_NAMESPACE_DEFAULT, SERVICE_NAME_DEFAULT } from '../../lambda/observability/metric-names.js';
import { PROXY_IDLE_CLIENT_TIMEOUT } from '../../infra/constructs/database.js';
import { repoRoot } from '../../infra/paths.js';
import { roleStatements } from './iam.js';
import {
  alarmDocsChecks,
  alarmNamed,
  cdkNagChecks,
  databaseAlarmCheck,
  EXPECTED_PARAMETERS,
  flatAlarms,
  noCycleCheck,
} from './stack-checks.js';
import { logicalIdOf, synthesize } from './synth.js';

const synth = synthesize();
const { template, stack, settings } = synth;
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string }
>;

const ids = {
  queue: logicalIdOf(stack.ingest.queue),
  dlq: logicalIdOf(stack.ingest.deadLetterQueue),
  fn: logicalIdOf(stack.pipeline.fn),
  mapping: logicalIdOf(stack.pipeline.mapping),
  role: logicalIdOf(stack.pipeline.fn.role as unknown as IConstruct),
  maskingSecret: logicalIdOf(stack.keys.maskingSecret),
  vaultKey: logicalIdOf(stack.keys.vaultKey),
  instance: logicalIdOf(stack.database.server.target),
  proxy: logicalIdOf(stack.database.proxy),
};
const props = (id: string) => (resources[id] as { Properties: Record<string, unknown> }).Properties;

describe('queue and event source mapping', () => {
  test('the mapping reports batch item failures, with batching and a concurrency cap from context', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: ids.fn },
      EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: settings.batchSize,
      MaximumBatchingWindowInSeconds: settings.maxBatchingWindowSeconds,
      ScalingConfig: { MaximumConcurrency: settings.dbConnectionBudget },
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  test('messages dead-letter after maxReceiveCount, into a DLQ that keeps them longer', () => {
    const queue = props(ids.queue);
    assert.deepEqual(queue.RedrivePolicy, {
      deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] },
      maxReceiveCount: 5,
    });
    assert.equal(props(ids.dlq).MessageRetentionPeriod, 14 * 24 * 3600);
    assert.ok((props(ids.dlq).MessageRetentionPeriod as number) > (queue.MessageRetentionPeriod as number));
  });

  test('visibility timeout is at least 6 × the function timeout plus the batching window', () => {
    const timeout = props(ids.fn).Timeout as number;
    const window = props(ids.mapping).MaximumBatchingWindowInSeconds as number;
    assert.ok((props(ids.queue).VisibilityTimeout as number) >= 6 * timeout + window);
  });

  test('both queues are encrypted at rest and refuse non-TLS requests', () => {
    for (const id of [ids.queue, ids.dlq]) {
      assert.equal(props(id).SqsManagedSseEnabled, true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });
});

describe('pipeline function', () => {
  test('runs on ARM64 and the newest Node.js runtime, in the isolated app subnets', () => {
    const fn = props(ids.fn);
    assert.deepEqual(fn.Architectures, ['arm64']);
    assert.equal(fn.Runtime, 'nodejs24.x');
    assert.equal(fn.Handler, 'index.handler');
    const vpc = fn.VpcConfig as { SubnetIds: { Ref: string }[]; SecurityGroupIds: unknown[] };
    assert.equal(vpc.SecurityGroupIds.length, 1);
    assert.equal(vpc.SubnetIds.length, 2);
    for (const subnet of vpc.SubnetIds) {
      const route = template.findResources('AWS::EC2::Route');
      assert.ok(!JSON.stringify(route).includes(subnet.Ref), `subnet ${subnet.Ref} must have no routes out`);
      assert.match(subnet.Ref, /appSubnet/);
    }
  });

  test('is configured through the environment the Lambda code reads', () => {
    const env = (props(ids.fn).Environment as { Variables: Record<string, unknown> }).Variables;
    assert.deepEqual(env.DB_HOST, { 'Fn::GetAtt': [ids.proxy, 'Endpoint'] });
    assert.equal(env.DB_IAM_AUTH, 'true');
    assert.equal(env.DB_SSL, 'verify-full');
    assert.equal(env.DB_POOL_MAX, '1');
    assert.deepEqual(env.MASKING_SECRET_ARN, { Ref: ids.maskingSecret });
    assert.deepEqual(env.VAULT_KMS_KEY_ID, { 'Fn::GetAtt': [ids.vaultKey, 'Arn'] });
    assert.equal(env.POWERTOOLS_SERVICE_NAME, SERVICE_NAME_DEFAULT);
    assert.equal(env.POWERTOOLS_METRICS_NAMESPACE, METRIC_NAMESPACE_DEFAULT);
    // Source maps off by default (-c sourceMaps=true: prod-fifo.test.ts).
    assert.equal(env.NODE_OPTIONS, undefined);
    // IAM tokens: the function never holds the database password.
    assert.equal(env.DB_SECRET_ARN, undefined);
    // Tracing off by default (-c tracing=true: prod-fifo.test.ts).
    assert.equal(env.TRACING_ENABLED, 'false');
    assert.equal(props(ids.fn).TracingConfig, undefined);
  });

  test('every function in the template, and the rotation function, logs to a group of the stack with a retention', () => {
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    assert.ok(functions.length >= 4, 'pipeline, migrator, trigger provider, default security group provider');
    for (const [id, fn] of functions) {
      const group = (fn.Properties.LoggingConfig as { LogGroup?: { Ref: string } } | undefined)?.LogGroup?.Ref;
      assert.ok(group && resources[group]?.Type === 'AWS::Logs::LogGroup', `${id} logs to a group of the stack`);
      assert.ok((resources[group]?.Properties.RetentionInDays as number) > 0, `${id}'s group expires`);
    }
    // The hosted rotation function is made by a transform at deploy: its
    // group, named after it, exists first (prod: see prod-fifo.test.ts).
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationLambdaName: 'LoginEtl-rotation' }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/LoginEtl-rotation', RetentionInDays: 30 });
  });

  test('bundles lambda/handler.ts as minified ESM with a source map, within 1 MB', () => {
    const dir = synth.assetDirOf(ids.fn);
    const bundle = path.join(dir, 'index.mjs');
    const code = readFileSync(bundle, 'utf8');
    assert.ok(code.startsWith('import { createRequire as __loginEtlCreateRequire }'), 'ESM banner providing require()');
    assert.match(code, /export\s*\{[^}]*\bhandler\b[^}]*\}/, 'exports handler');
    assert.ok(existsSync(path.join(dir, 'index.mjs.map')), 'the map ships, for -c sourceMaps=true or offline lookup');
    // infra/bundling/function-bundle.ts: node:http reaches the bundle as CommonJS
    // (its ESM facade loads undici on Node 22+), and pg's navigator is fixed.
    assert.doesNotMatch(code, /from\s*["'](node:)?http["']/);
    assert.doesNotMatch(code, /\bnavigator\b/);
    // Minified: almost no indented lines (the CA bundle's PEM strings keep
    // their newlines, so counting lines would not tell).
    const indented = (code.match(/\n {2,}\S/g) ?? []).length;
    assert.ok(indented < 100, `minified (${indented} indented lines)`);
    const size = statSync(bundle).size;
    assert.ok(size <= 1024 * 1024, `bundle is ${(size / 1024).toFixed(0)} KiB; the budget is 1024 KiB`);
  });
});

describe('bundles run outside the build tree', () => {
  /**
   * The function's own environment from the template, with the values that
   * are CloudFormation references replaced by stand-ins.
   */
  const environmentOf = (functionId: string): Record<string, string> => {
    const vars = (resources[functionId]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const standIn = (name: string, value: unknown): string => {
      if (typeof value === 'string') return value;
      if (name === 'DB_HOST') return '127.0.0.1';
      if (name === 'VAULT_KMS_KEY_ID')
        return 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000';
      return `arn:aws:standin:eu-west-1:111111111111:${name}`;
    };
    return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, standIn(k, v)]));
  };
  // Node loads each staged asset from the temporary cloud assembly, where no
  // node_modules can be found: everything must be inside index.mjs.
  const run = (functionId: string, env: Record<string, string>, script: string) =>
    spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
      cwd: synth.assetDirOf(functionId),
      encoding: 'utf8',
      timeout: 20_000,
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', ...env },
    });

  test('the pipeline bundle handles an empty batch and emits EMF in the alarms’ namespace', () => {
    // The keyring inline: Secrets Manager is not reachable from a test.
    const { MASKING_SECRET_ARN: _secret, ...env } = environmentOf(ids.fn);
    const out = run(
      ids.fn,
      { ...env, MASKING_KEYS: JSON.stringify({ current: 'v1', v1: 'k'.repeat(64) }) },
      "const { handler } = await import('./index.mjs'); console.log(JSON.stringify(await handler({ Records: [] }, { functionName: 'f', awsRequestId: 'r' }))); console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('undici'))));",
    );
    assert.equal(out.status, 0, out.stderr);
    const lines = out.stdout.trim().split('\n');
    // Nothing in the function uses fetch: loading undici (~35–45 ms) is pure cold-start cost.
    assert.equal(lines.pop(), '[]', 'undici loaded at cold start');
    assert.equal(lines.at(-1), JSON.stringify({ batchItemFailures: [] }));
    type Emf = { _aws?: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } };
    const emf = lines.map((l) => JSON.parse(l) as Emf).find((l) => l._aws);
    assert.equal(emf?._aws?.CloudWatchMetrics[0]?.Namespace, METRIC_NAMESPACE_DEFAULT);
    assert.deepEqual(emf?._aws?.CloudWatchMetrics[0]?.Dimensions, [['service']]);
  });

  test('the migration bundle starts with exactly the environment the stack gives it', () => {
    const migrator = logicalIdOf(stack.schema.fn);
    const out = run(
      migrator,
      environmentOf(migrator),
      "const m = await import('./index.mjs'); console.log(typeof m.handler);",
    );
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout.trim(), 'function');
  });
});

describe('database', () => {
  test('is encrypted, private, backed up, TLS-only and accepts IAM auth', () => {
    const db = props(ids.instance);
    assert.equal(db.StorageEncrypted, true);
    assert.equal(db.PubliclyAccessible, false);
    assert.equal(db.EnableIAMDatabaseAuthentication, true);
    assert.ok((db.BackupRetentionPeriod as number) >= 7);
    assert.equal(db.Engine, 'postgres');
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    // prod=false: removable by cdk destroy.
    assert.equal(db.DeletionProtection, false);
    assert.equal(db.MultiAZ, false);
  });

  test('sits behind a proxy that requires TLS and IAM authentication end to end', () => {
    const proxy = props(ids.proxy);
    assert.equal(proxy.RequireTLS, true);
    assert.equal(proxy.EngineFamily, 'POSTGRESQL');
    assert.equal(proxy.DefaultAuthScheme, 'IAM_AUTH');
    assert.equal(proxy.Auth, undefined, 'no secret: no login signs in to the proxy with a password');
  });

  test('the proxy fails a connection borrow before the function times out, and closes idle clients after 15 minutes', () => {
    const [group] = Object.values(template.findResources('AWS::RDS::DBProxyTargetGroup')) as {
      Properties: { ConnectionPoolConfigurationInfo: { ConnectionBorrowTimeout: number; MaxConnectionsPercent: number } };
    }[];
    const pool = group?.Properties.ConnectionPoolConfigurationInfo;
    assert.ok(pool);
    assert.ok(pool.ConnectionBorrowTimeout > 0, 'a borrow timeout of 0 waits forever');
    assert.ok(pool.ConnectionBorrowTimeout < (props(ids.fn).Timeout as number));
    assert.equal(pool.MaxConnectionsPercent, 90);
    assert.equal(props(ids.proxy).IdleClientTimeout, PROXY_IDLE_CLIENT_TIMEOUT.toSeconds());
    assert.equal(props(ids.proxy).IdleClientTimeout, 900);
  });

  test('the parameter group forces TLS and logs connections, lock waits and slow statements without their parameters', () => {
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: EXPECTED_PARAMETERS });
  });

  test('its generated secret rotates, from inside the VPC', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', VpcSubnetIds: Match.anyValue() }),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });
});

describe('network', () => {
  test('has no internet path: no NAT or internet gateway, interface endpoints instead', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e) =>
      JSON.stringify((e as { Properties: { ServiceName: unknown } }).Properties.ServiceName),
    );
    assert.equal(services.length, 2);
    assert.ok(services.some((s) => s.includes('.secretsmanager')));
    assert.ok(services.some((s) => s.includes('.kms')));
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  test('the endpoints serve this account’s principals and resources only', () => {
    for (const endpoint of Object.values(template.findResources('AWS::EC2::VPCEndpoint'))) {
      const policy = (endpoint as { Properties: { PolicyDocument: { Statement: { Condition?: unknown }[] } } })
        .Properties.PolicyDocument;
      assert.equal(policy.Statement.length, 1);
      assert.deepEqual(policy.Statement[0]?.Condition, {
        StringEquals: {
          'aws:PrincipalAccount': { Ref: 'AWS::AccountId' },
          'aws:ResourceAccount': { Ref: 'AWS::AccountId' },
        },
      });
    }
  });

  test('security groups admit traffic only from other security groups', () => {
    const inline = Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap(
      (g) =>
        ((g as { Properties: { SecurityGroupIngress?: unknown[] } }).Properties.SecurityGroupIngress ?? []) as Record<
          string,
          unknown
        >[],
    );
    const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(
      (r) => (r as { Properties: Record<string, unknown> }).Properties,
    );
    for (const rule of [...inline, ...separate]) {
      assert.ok(
        rule.SourceSecurityGroupId !== undefined,
        `ingress from ${JSON.stringify(rule.CidrIp ?? rule.CidrIpv6)}`,
      );
    }
  });
});

describe('secrets and keys', () => {
  test('without operators, no statement of the key policy allows Decrypt and nobody may write the keyring', () => {
    // The named-operator case is in least-privilege.test.ts.
    const key = props(ids.vaultKey);
    assert.equal(key.EnableKeyRotation, true);
    const statements = (key.KeyPolicy as { Statement: { Action: string | string[] }[] }).Statement;
    assert.ok(!JSON.stringify(statements.map((st) => st.Action)).includes('Decrypt'));
    const policy = Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy')).find(
      (r) => JSON.stringify(r).includes(`"${ids.maskingSecret}"`),
    ) as { Properties: { ResourcePolicy: { Statement: Record<string, unknown>[] } } };
    const rotate = policy.Properties.ResourcePolicy.Statement.find((st) => st.Sid === 'OnlyOperatorsRotate');
    assert.equal(rotate?.Effect, 'Deny');
    assert.equal(rotate?.Condition, undefined, 'an unconditional Deny: no principal may write');
  });

  test('no role holds AWS managed policies beyond CDK custom resource providers’ basic logging', () => {
    const managed = Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) =>
      ((r as { Properties: { ManagedPolicyArns?: unknown[] } }).Properties.ManagedPolicyArns ?? []).map((a) =>
        JSON.stringify(a),
      ),
    );
    for (const arn of managed) assert.match(arn, /service-role\/AWSLambdaBasicExecutionRole/);
  });

  test('the only wildcard resource is the ENI statement Lambda needs for VPC access', () => {
    const wildcard = roleStatements(template).filter((s) => JSON.stringify(s.resource) === '"*"');
    for (const s of wildcard)
      for (const a of s.actions)
        assert.match(
          a,
          /^ec2:[A-Za-z]+NetworkInterfaces?$|^ec2:DescribeSubnets$|^ec2:(Assign|Unassign)PrivateIpAddresses$/,
        );
  });
});

describe('schema migrations', () => {
  test('run by a trigger after the database and proxy, before the function and its mapping', () => {
    const triggerId = logicalIdOf(stack.schema.trigger.node.findChild('Default'));
    const trigger = resources[triggerId] as { Type: string; DependsOn: string[] };
    assert.equal(trigger.Type, 'Custom::Trigger');
    assert.ok(trigger.DependsOn.includes(ids.instance));
    assert.ok(trigger.DependsOn.includes(ids.proxy));
    assert.ok(resources[ids.fn]?.DependsOn?.includes(triggerId), 'function waits for the migration');
    assert.ok(resources[ids.mapping]?.DependsOn?.includes(triggerId), 'mapping waits for the migration');
  });

  test('docs/deploy.md’s recovery from UPDATE_ROLLBACK_FAILED skips the trigger by its real logical id', () => {
    const triggerId = logicalIdOf(stack.schema.trigger.node.findChild('Default'));
    assert.equal(resources[triggerId]?.Type, 'Custom::Trigger');
    const deploy = readFileSync(path.join(repoRoot, 'docs', 'deploy.md'), 'utf8');
    const skipped = [...deploy.matchAll(/continue-update-rollback .*--resources-to-skip (\S+)/g)].map((m) => m[1]);
    assert.deepEqual(skipped, [triggerId]);
  });
});

describe('alarms and dashboard', () => {
  alarmDocsChecks(synth, 'rds');
  const alarms = flatAlarms(template);
  const byName = (name: string) => alarmNamed(alarms, stack.stackName, name);
  const instanceDimension = [{ Name: 'DBInstanceIdentifier', Value: { Ref: ids.instance } }];
  const proxyDimension = [{ Name: 'ProxyName', Value: { Ref: ids.proxy } }];

  test('queue alarms: any dead letter, a dead letter halfway to expiry, the oldest queued message', () => {
    const dead = byName('DeadLetters');
    assert.equal(dead.MetricName, 'ApproximateNumberOfMessagesVisible');
    assert.deepEqual(dead.Dimensions, [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } }]);
    assert.equal(dead.Threshold, 0);
    const age = byName('DeadLetterAge');
    assert.equal(age.MetricName, 'ApproximateAgeOfOldestMessage');
    assert.deepEqual(age.Dimensions, [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } }]);
    // A dead letter has at least DLQ retention - queue retention left; half of it.
    const left = (props(ids.dlq).MessageRetentionPeriod as number) - (props(ids.queue).MessageRetentionPeriod as number);
    assert.equal(age.Threshold, left / 2);
    const oldest = byName('OldestMessageAge');
    assert.deepEqual(oldest.Dimensions, [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }]);
    assert.equal(oldest.Threshold, settings.oldestMessageAlarmSeconds);
  });

  test('function alarms: errors, throttles, duration near the timeout, and the pipeline failure metrics', () => {
    assert.equal(byName('FunctionErrors').MetricName, 'Errors');
    assert.equal(byName('FunctionThrottles').MetricName, 'Throttles');
    const duration = byName('FunctionDuration');
    assert.equal(duration.MetricName, 'Duration');
    assert.equal(duration.Statistic, 'Maximum');
    assert.equal(duration.Threshold, (props(ids.fn).Timeout as number) * 1000 * 0.8);
    assert.equal(duration.ComparisonOperator, 'GreaterThanThreshold');
    for (const [alarm, metric] of [
      ['RecordsFailed', MetricName.RecordsFailed],
      ['RecordsQuarantined', MetricName.RecordsQuarantined],
    ] as const) {
      const a = byName(alarm);
      assert.equal(a.MetricName, metric);
      assert.equal(a.Namespace, METRIC_NAMESPACE_DEFAULT);
      assert.deepEqual(a.Dimensions, [{ Name: 'service', Value: SERVICE_NAME_DEFAULT }]);
    }
  });

  test('database alarms: CPU, CPU credits (the default class is burstable), free storage, freeable memory', () => {
    const expect = databaseAlarmCheck(alarms, stack.stackName, instanceDimension);
    expect('DatabaseCpu', 'CPUUtilization', 'GreaterThanThreshold', 80);
    expect('DatabaseCpuCredits', 'CPUCreditBalance', 'LessThanThreshold', 30);
    // 10% of the 20 GiB allocated: where storage autoscaling should have acted.
    expect('DatabaseFreeStorage', 'FreeStorageSpace', 'LessThanThreshold', 2 * 1024 ** 3);
    // 10% of a t4g.micro's 1 GiB.
    expect('DatabaseFreeableMemory', 'FreeableMemory', 'LessThanThreshold', Math.round(0.1 * 1024 ** 3));
  });

  test('proxy alarms: borrow latency over 100 ms (the metric is in microseconds), any failed sign-in', () => {
    const borrow = byName('ProxyBorrowLatency');
    assert.equal(borrow.MetricName, 'DatabaseConnectionsBorrowLatency');
    assert.deepEqual(borrow.Dimensions, proxyDimension);
    assert.equal(borrow.Statistic, 'Average');
    assert.equal(borrow.Threshold, 100_000);
    const auth = byName('ProxyFailedAuth');
    assert.equal(auth.MetricName, 'ClientConnectionsSetupFailedAuth');
    assert.deepEqual(auth.Dimensions, proxyDimension);
    assert.equal(auth.Statistic, 'Sum');
    assert.equal(auth.Threshold, 0);
  });

  test('the dashboard shows throughput, failures, latency, queue, connections, database and proxy', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    assert.equal(dashboards.length, 1);
    const body = JSON.stringify(dashboards[0]);
    for (const name of [
      ...Object.values(MetricName),
      'Duration',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'DatabaseConnections',
      'ClientConnections',
      'CPUUtilization',
      'CPUCreditBalance',
      'FreeStorageSpace',
      'FreeableMemory',
      'WriteIOPS',
      'DatabaseConnectionsBorrowLatency',
      'ClientConnectionsSetupFailedAuth',
    ]) {
      assert.ok(body.includes(`\\"${name}\\"`), `dashboard shows ${name}`);
    }
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  cdkNagChecks(synth);
});

noCycleCheck(synth);
