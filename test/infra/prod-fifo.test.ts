/**
 * The production posture with a FIFO queue, an alarm e-mail and tracing,
 * synthesized once: what the context flags change, and that cdk-nag still
 * passes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { roleStatements } from './iam.js';
import { logicalIdOf, synthesize } from './synth.js';

const synth = synthesize({
  prod: 'true',
  dbInstanceType: 'm7g.large',
  fifo: 'true',
  alarmEmail: 'ops@example.com',
  stackName: 'LoginEtlProd',
  sourceMaps: 'true',
  tracing: 'true',
});
const { template, stack } = synth;
const resources = template.toJSON().Resources as Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; DependsOn?: string[] }
>;
const at = (id: string) => resources[id] as { Properties: Record<string, unknown>; DeletionPolicy?: string };

describe('fifo=true', () => {
  test('both queues are FIFO without content-based deduplication: identical logins are never merged', () => {
    for (const queue of [stack.ingest.queue, stack.ingest.deadLetterQueue]) {
      const p = at(logicalIdOf(queue)).Properties;
      assert.equal(p.FifoQueue, true);
      assert.equal(p.ContentBasedDeduplication, false);
    }
  });

  test('the mapping takes at most 10 records and no batching window', () => {
    const mapping = at(logicalIdOf(stack.pipeline.mapping)).Properties;
    assert.equal(mapping.BatchSize, 10);
    assert.equal(mapping.MaximumBatchingWindowInSeconds, undefined);
    assert.deepEqual(mapping.FunctionResponseTypes, ['ReportBatchItemFailures']);
  });
});

describe('prod=true', () => {
  test('the database is Multi-AZ, deletion-protected and snapshotted on delete', () => {
    const db = at(logicalIdOf(stack.database.server.target));
    assert.equal(db.Properties.MultiAZ, true);
    assert.equal(db.Properties.DeletionProtection, true);
    assert.equal(db.Properties.BackupRetentionPeriod, 14);
    assert.equal(db.DeletionPolicy, 'Snapshot');
  });

  test('keys, queues and logs are retained', () => {
    for (const construct of [
      stack.keys.maskingSecret,
      stack.keys.vaultKey,
      stack.ingest.queue,
      stack.ingest.deadLetterQueue,
    ]) {
      assert.equal(at(logicalIdOf(construct)).DeletionPolicy, 'Retain', construct.node.path);
    }
    for (const log of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      assert.equal((log as { DeletionPolicy?: string }).DeletionPolicy, 'Retain');
    }
  });

  test('the master login’s secret is retained with the final snapshot', () => {
    const secrets = Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::SecretsManager::Secret' && JSON.stringify(r).includes('login_etl_admin'),
    );
    assert.equal(secrets.length, 1);
    assert.equal(secrets[0]?.[1].DeletionPolicy, 'Retain');
  });

  test('log groups whose names RDS and Lambda fix are not owned by the stack: LogRetention creates or adopts them and leaves them', () => {
    const postgres = '/aws/rds/instance/loginetlprod-postgres/postgresql';
    const rotation = '/aws/lambda/LoginEtlProd-rotation';
    // A retained AWS::Logs::LogGroup with a fixed name would make the next
    // deploy of the same stack fail: the group outlives the stack.
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      assert.equal((group as { Properties: { LogGroupName?: unknown } }).Properties.LogGroupName, undefined);
    }
    const retention = Object.entries(template.findResources('Custom::LogRetention')) as [
      string,
      { Properties: { LogGroupName: string; RetentionInDays: number; RemovalPolicy: string } },
    ][];
    assert.deepEqual(retention.map(([, r]) => r.Properties.LogGroupName).sort(), [rotation, postgres].sort());
    for (const [, r] of retention) {
      assert.equal(r.Properties.RetentionInDays, 365);
      assert.equal(r.Properties.RemovalPolicy, 'retain');
    }
    // Retention is set before RDS first exports to the group.
    const postgresId = retention.find(([, r]) => r.Properties.LogGroupName === postgres)?.[0];
    assert.ok(resources[logicalIdOf(stack.database.server.target)]?.DependsOn?.includes(postgresId as string));
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationLambdaName: 'LoginEtlProd-rotation' }),
    });
  });

  test('custom resource providers log to retained groups with a retention', () => {
    const providers = Object.entries(resources).filter(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && /CustomResourceProviderHandler/.test(id),
    );
    assert.ok(providers.length >= 2, 'the trigger’s and the default security group’s');
    for (const [id, fn] of providers) {
      const group = (fn.Properties.LoggingConfig as { LogGroup?: { Ref: string } } | undefined)?.LogGroup?.Ref;
      assert.ok(group, `${id} logs to a group of the stack`);
      assert.equal(resources[group]?.Properties.RetentionInDays, 90);
      assert.equal(resources[group]?.DeletionPolicy, 'Retain');
    }
  });

  test('-c tracing=true: active tracing, TRACING_ENABLED and X-Ray writes on the pipeline only', () => {
    const fn = resources[logicalIdOf(stack.pipeline.fn)]?.Properties;
    assert.deepEqual(fn?.TracingConfig, { Mode: 'Active' });
    assert.equal((fn?.Environment as { Variables: Record<string, unknown> }).Variables.TRACING_ENABLED, 'true');
    const xray = roleStatements(template).filter((st) => st.actions.some((a) => a.startsWith('xray:')));
    assert.deepEqual([...new Set(xray.map((st) => st.role))], [logicalIdOf(stack.pipeline.role as unknown as IConstruct)]);
    assert.deepEqual(xray.flatMap((st) => st.actions).sort(), ['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    assert.equal(resources[logicalIdOf(stack.schema.fn)]?.Properties.TracingConfig, undefined);
  });

  test('a non-burstable class has no CPU credit alarm; the memory alarm follows the class', () => {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => (a as { Properties: { AlarmName: string } }).Properties.AlarmName,
    );
    assert.ok(names.includes('LoginEtlProd-DatabaseCpu'));
    assert.ok(!names.includes('LoginEtlProd-DatabaseCpuCredits'));
    // 10% of an m7g.large's 8 GiB.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'LoginEtlProd-DatabaseFreeableMemory',
      Threshold: Math.round(0.8 * 1024 ** 3),
    });
  });

  test('-c sourceMaps=true runs both functions with source maps', () => {
    for (const fn of [stack.pipeline.fn, stack.schema.fn]) {
      const env = resources[logicalIdOf(fn)]?.Properties.Environment as { Variables: Record<string, unknown> };
      assert.equal(env.Variables.NODE_OPTIONS, '--enable-source-maps');
    }
  });

  test('the stack has termination protection', () => {
    assert.equal(stack.terminationProtection, true);
  });

  test('alarms e-mail the given address', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  test('names follow the stack name', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'LoginEtlProd' });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/LoginEtlProd/vault-kek' });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'loginetlprod-postgres' });
    template.hasResourceProperties('Custom::LogRetention', {
      LogGroupName: '/aws/rds/instance/loginetlprod-postgres/postgresql',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'LoginEtlProd-DeadLetters' });
  });

  test('cdk-nag passes with the production acknowledgements only', () => {
    assert.deepEqual(
      synth.report.pluginReports.flatMap((p) => p.violations ?? []),
      [],
    );
    assert.deepEqual(new AwsSolutionsChecks().validateScope(synth.app).violations, []);
  });
});
