/**
 * The production posture with a FIFO queue and an alarm e-mail, synthesized
 * once: what the context flags change, and that cdk-nag still passes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { logicalIdOf, synthesize } from './synth.js';

const synth = synthesize({
  prod: 'true',
  dbInstanceType: 'm7g.large',
  fifo: 'true',
  alarmEmail: 'ops@example.com',
  stackName: 'LoginEtlProd',
  sourceMaps: 'true',
});
const { template, stack } = synth;
const resources = template.toJSON().Resources as Record<
  string,
  { Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
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
    const db = at(logicalIdOf(stack.database.instance));
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
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/rds/instance/loginetlprod-postgres/postgresql',
      RetentionInDays: Match.anyValue(),
    });
  });

  test('cdk-nag passes with the production acknowledgements only', () => {
    assert.deepEqual(
      synth.report.pluginReports.flatMap((p) => p.violations ?? []),
      [],
    );
    assert.deepEqual(new AwsSolutionsChecks().validateScope(synth.app).violations, []);
  });
});
