/**
 * The daily maintenance in the template, on each engine behind the proxy:
 * the schedule and the run at deploy, the function's environment from
 * context, its sign-in (the maintenance login through the proxy, nothing
 * else), its alarms; and bad maintenance context stopping `cdk synth` with
 * one sentence naming the key.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { IConstruct } from 'constructs';
import type { DatabaseEngine } from '../../infra/context.js';
import { MAINTENANCE_SILENCE_HOURS } from '../../infra/constructs/alarms.js';
import { repoRoot } from '../../infra/paths.js';
import { MAINTENANCE_LOGIN, PIPELINE_LOGIN } from '../../lambda/db/login-names.js';
import { MetricName, METRIC_NAMESPACE_DEFAULT } from '../../lambda/observability/metric-names.js';
import { RETENTION_MONTHS } from '../../shared/maintenance-settings.js';
import { roleStatements } from './iam.js';
import { alarmNamed, flatAlarms } from './stack-checks.js';
import { logicalIdOf, synthesize, type Synthesized } from './synth.js';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The dbuser ARN's resource id attribute on the server: an instance's, or a cluster's. */
const SERVER_RESOURCE_ID: Record<DatabaseEngine, string> = { rds: 'DbiResourceId', aurora: 'DBClusterResourceId' };

function maintenanceChecks(engine: DatabaseEngine, synth: Synthesized, expected: Record<string, string>): void {
  const { template, stack } = synth;
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const fnId = logicalIdOf(stack.maintenance.fn);
  const roleId = logicalIdOf(stack.maintenance.role as unknown as IConstruct);
  const proxyId = logicalIdOf(stack.database.proxy);
  const serverId = logicalIdOf(stack.database.server.target);
  const fn = (resources[fnId] as Resource).Properties;
  const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;

  test('an EventBridge rule runs the function once a day, retrying delivery for a bounded time', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    assert.equal(rules.length, 1);
    const rule = (rules[0] as Resource).Properties;
    assert.equal(rule.State, 'ENABLED');
    // cron(minutes hours day-of-month month day-of-week year): a fixed time, every day.
    const [minutes, hours, ...every] = /^cron\((.*)\)$/.exec(String(rule.ScheduleExpression))?.[1]?.split(' ') ?? [];
    assert.match(`${minutes} ${hours}`, /^\d+ \d+$/);
    assert.deepEqual(every, ['*', '*', '?', '*']);
    const [target, ...others] = rule.Targets as Record<string, unknown>[];
    assert.equal(others.length, 0);
    assert.deepEqual(target?.Arn, { 'Fn::GetAtt': [fnId, 'Arn'] });
    assert.deepEqual(target?.RetryPolicy, { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 6 * 3600 });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });

  test('a deploy runs it once too, after the schema migration', () => {
    // The trigger invokes a version of the function, so a code change reruns it.
    const versionOf = (ref: unknown) => (resources[(ref as { Ref?: string }).Ref ?? ''] as Resource | undefined)?.Properties.FunctionName;
    const runs = Object.entries(resources).filter(
      ([, r]) => r.Type === 'Custom::Trigger' && JSON.stringify(versionOf(r.Properties.HandlerArn)) === JSON.stringify({ Ref: fnId }),
    );
    assert.equal(runs.length, 1);
    const schemaRun = Object.keys(resources).find((id) => resources[id]?.Type === 'Custom::Trigger' && id.startsWith('SchemaRun'));
    assert.ok(schemaRun);
    assert.ok(runs[0]?.[1].DependsOn?.includes(schemaRun), 'after the migration trigger');
    // docs/deploy.md names it for a rollback that must skip it.
    const deploy = readFileSync(path.join(repoRoot, 'docs', 'deploy.md'), 'utf8');
    assert.ok(deploy.includes(`logical id, \`${runs[0]?.[0]}\``), `docs/deploy.md names ${runs[0]?.[0]}`);
  });

  test('signs in through the proxy as login_etl_maintenance with settings from context, one run at a time', () => {
    assert.equal(env.DB_USER, MAINTENANCE_LOGIN);
    assert.deepEqual(env.DB_HOST, { 'Fn::GetAtt': [proxyId, 'Endpoint'] });
    assert.equal(env.DB_IAM_AUTH, 'true');
    assert.equal(env.DB_SSL, 'verify-full');
    for (const [name, value] of Object.entries(expected)) assert.equal(env[name], value, name);
    for (const name of ['DB_SECRET_ARN', 'DATABASE_URL', 'MASKING_SECRET_ARN', 'VAULT_KMS_KEY_ID']) assert.equal(env[name], undefined, name);
    assert.equal(env.POWERTOOLS_METRICS_NAMESPACE, METRIC_NAMESPACE_DEFAULT);
    assert.equal(env.POWERTOOLS_SERVICE_NAME, synth.settings.serviceName);
    assert.equal(fn.ReservedConcurrentExecutions, 1);
    assert.ok((fn.VpcConfig as { SubnetIds: unknown[] }).SubnetIds.length > 0);
    const logGroup = (fn.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    assert.ok(((resources[logGroup] as Resource).Properties.RetentionInDays as number) > 0);
  });

  test('its role may rds-db:connect through the proxy as login_etl_maintenance only, and reads no secret and no key', () => {
    const statements = roleStatements(template).filter((s) => s.role === roleId);
    const actions = [...new Set(statements.flatMap((s) => s.actions))].sort();
    assert.deepEqual(actions.filter((a) => !a.startsWith('ec2:')), ['logs:CreateLogStream', 'logs:PutLogEvents', 'rds-db:connect']);
    const connect = statements.filter((s) => s.actions.includes('rds-db:connect')).flatMap((s) => list(s.resource));
    assert.equal(connect.length, 1);
    const arn = JSON.stringify(connect[0]);
    assert.ok(arn.includes(`"${proxyId}","DBProxyArn"`), arn);
    assert.ok(arn.endsWith(`/${MAINTENANCE_LOGIN}"]]}`), arn);
    // And the proxy may sign in to the server as that login, beside the pipeline's.
    const proxyRole = logicalIdOf(stack.database.proxyRole);
    const proxyLogins = roleStatements(template)
      .filter((s) => s.role === proxyRole && s.actions.includes('rds-db:connect'))
      .flatMap((s) => list(s.resource).map((r) => JSON.stringify(r)))
      .filter((r) => r.includes(`"${serverId}","${SERVER_RESOURCE_ID[engine]}"`))
      .map((r) => /\/([a-z0-9_]+)"\]\]\}$/.exec(r)?.[1]);
    assert.deepEqual(proxyLogins.sort(), [MAINTENANCE_LOGIN, PIPELINE_LOGIN]);
  });

  test('alarms: any failed run, and no successful run for two days (missing data breaches)', () => {
    const alarms = flatAlarms(template);
    const errors = alarmNamed(alarms, stack.stackName, 'MaintenanceErrors');
    assert.equal(errors.MetricName, 'Errors');
    assert.deepEqual(errors.Dimensions, [{ Name: 'FunctionName', Value: { Ref: fnId } }]);
    assert.equal(errors.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
    assert.equal(errors.Threshold, 1);
    assert.equal(errors.TreatMissingData, 'notBreaching');
    const missing = alarmNamed(alarms, stack.stackName, 'MaintenanceMissing');
    assert.equal(missing.Namespace, METRIC_NAMESPACE_DEFAULT);
    assert.equal(missing.MetricName, MetricName.MaintenanceSucceeded);
    assert.equal(missing.Statistic, 'Sum');
    assert.equal(missing.ComparisonOperator, 'LessThanThreshold');
    assert.equal(missing.Threshold, 1);
    assert.equal(MAINTENANCE_SILENCE_HOURS, 48);
    assert.equal((missing.Period as number) * (missing.EvaluationPeriods as number), 48 * 3600);
    assert.equal(missing.DatapointsToAlarm, missing.EvaluationPeriods);
    assert.equal(missing.TreatMissingData, 'breaching');
  });
}

// Both synthesized first: each takes its bundling time once.
const synths = {
  rds: synthesize(),
  aurora: synthesize({ database: 'aurora', retentionMonths: '37', partitionMonthsAhead: 6, quarantineBodyDays: '30' }),
};
describe('database=rds, maintenance settings by default', () => {
  maintenanceChecks('rds', synths.rds, {
    RETENTION_MONTHS: String(RETENTION_MONTHS),
    PARTITION_MONTHS_AHEAD: '3',
    QUARANTINE_BODY_DAYS: '14',
  });
});
describe('database=aurora, maintenance settings from -c', () => {
  maintenanceChecks('aurora', synths.aurora, { RETENTION_MONTHS: '37', PARTITION_MONTHS_AHEAD: '6', QUARANTINE_BODY_DAYS: '30' });
});

describe('bad maintenance context', () => {
  /** `cdk synth` as cdk.json runs it, with the context CDK passes in CDK_CONTEXT_JSON. */
  const synthWith = (context: Record<string, unknown>) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'infra', 'app.ts')], {
      cwd: repoRoot,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context) },
      encoding: 'utf8',
    });

  for (const [key, value, expected] of [
    ['retentionMonths', '0', 'a whole number from 1 to 1200'],
    ['retentionMonths', 'abc', 'a whole number from 1 to 1200'],
    ['partitionMonthsAhead', '25', 'a whole number from 1 to 24'],
    ['quarantineBodyDays', '-1', 'a whole number from 1 to 365'],
  ] as const) {
    test(`${key}=${value} stops synth with one sentence naming the key`, () => {
      const run = synthWith({ [key]: value });
      assert.equal(run.status, 1, run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(
        run.stderr.trim(),
        `login-etl: context "${key}" is "${value}": expected ${expected} (set it with -c ${key}=... or in cdk.json)`,
      );
    });
  }
});
