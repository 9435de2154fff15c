/**
 * `-c database=aurora` in the production posture (so with its reader),
 * synthesized once: the cluster, its Serverless v2 instances, the proxy in
 * front of it, its alarms and dashboard, cdk-nag. The logins and grants are
 * held on Aurora too by least-privilege.test.ts, which runs its assertions
 * on both engines.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { LOW_LOCAL_STORAGE_BYTES, NEAR_MAX_CAPACITY_PERCENT } from '../../infra/constructs/aurora-metrics.js';
import { ADMIN_USER, DATABASE_NAME, PORT } from '../../infra/constructs/database-server.js';
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

const synth = synthesize({
  database: 'aurora',
  prod: 'true',
  stackName: 'LoginEtlAurora',
  auroraMinCapacity: '1',
  auroraMaxCapacity: '16',
});
const { template, stack } = synth;
type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string };
const resources = template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const cluster = logicalIdOf(stack.database.server.target);
const proxy = logicalIdOf(stack.database.proxy);
const clusterProps = (resources[cluster] as Resource).Properties;
const sgOf = (c: IConstruct) => ({ 'Fn::GetAtt': [logicalIdOf(c), 'GroupId'] });

describe('Aurora PostgreSQL cluster', () => {
  test('is Aurora PostgreSQL 17, encrypted, private, with IAM authentication, 14-day backups and its log exported', () => {
    assert.equal(resources[cluster]?.Type, 'AWS::RDS::DBCluster');
    assert.equal(clusterProps.Engine, 'aurora-postgresql');
    assert.match(String(clusterProps.EngineVersion), /^17\./);
    assert.equal(clusterProps.StorageEncrypted, true);
    assert.equal(clusterProps.EnableIAMDatabaseAuthentication, true);
    assert.equal(clusterProps.BackupRetentionPeriod, 14);
    assert.deepEqual(clusterProps.EnableCloudwatchLogsExports, ['postgresql']);
    assert.equal(clusterProps.Port, PORT);
    assert.equal(clusterProps.DatabaseName, DATABASE_NAME);
    assert.equal(clusterProps.MasterUsername, ADMIN_USER);
    assert.equal(clusterProps.DBClusterIdentifier, 'loginetlaurora-aurora');
    assert.deepEqual(clusterProps.VpcSecurityGroupIds, [sgOf(stack.database.server.target.connections.securityGroups[0] as IConstruct)]);
    // The only database: no RDS instance outside the cluster.
    for (const [id, instance] of ofType('AWS::RDS::DBInstance')) {
      assert.deepEqual(instance.Properties.DBClusterIdentifier, { Ref: cluster }, id);
      assert.equal(instance.Properties.PubliclyAccessible, false, id);
    }
  });

  test('runs a Serverless v2 writer in the capacity range from context, and (prod) a reader in the other AZ that scales with it', () => {
    assert.deepEqual(clusterProps.ServerlessV2ScalingConfiguration, { MinCapacity: 1, MaxCapacity: 16 });
    const instances = ofType('AWS::RDS::DBInstance').map(([, r]) => r.Properties);
    assert.equal(instances.length, 2);
    for (const instance of instances) {
      assert.equal(instance.DBInstanceClass, 'db.serverless');
      assert.equal(instance.CACertificateIdentifier, 'rds-ca-rsa2048-g1');
    }
    const byTier = (tier: number) => instances.find((i) => i.PromotionTier === tier);
    const az = (i: number) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] });
    assert.deepEqual(byTier(0)?.AvailabilityZone, az(0), 'the writer');
    assert.deepEqual(byTier(1)?.AvailabilityZone, az(1), 'the reader: tier 1 keeps it at least as large as the writer');
  });

  test('prod: deletion protection, a final snapshot, the master secret kept with it, the log group outliving the stack', () => {
    assert.equal(clusterProps.DeletionProtection, true);
    assert.equal(resources[cluster]?.DeletionPolicy, 'Snapshot');
    const secrets = ofType('AWS::SecretsManager::Secret').filter(([, r]) => JSON.stringify(r).includes(ADMIN_USER));
    assert.equal(secrets.length, 1);
    assert.equal(secrets[0]?.[1].DeletionPolicy, 'Retain');
    const [logs] = ofType('Custom::LogRetention').filter(
      ([, r]) => r.Properties.LogGroupName === '/aws/rds/cluster/loginetlaurora-aurora/postgresql',
    );
    assert.ok(logs, 'the cluster log group gets its retention before the first export');
    assert.ok(resources[cluster]?.DependsOn?.includes(logs[0]));
  });

  test('its cluster parameter group forces TLS and logs connections, lock waits and slow statements without their parameters', () => {
    const [[groupId, group] = []] = ofType('AWS::RDS::DBClusterParameterGroup');
    assert.ok(groupId && group);
    assert.equal(group.Properties.Family, 'aurora-postgresql17');
    // The instance's values, all of them and nothing else.
    assert.deepEqual(group.Properties.Parameters, EXPECTED_PARAMETERS);
    assert.deepEqual(clusterProps.DBClusterParameterGroupName, { Ref: groupId });
  });

  test('its generated master secret is attached to the cluster and rotates from inside the VPC', () => {
    template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      TargetId: { Ref: cluster },
      TargetType: 'AWS::RDS::DBCluster',
    });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', RotationLambdaName: 'LoginEtlAurora-rotation' }),
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });
});

describe('RDS Proxy in front of the cluster', () => {
  test('targets the cluster, with the same pool limits, TLS and IAM authentication end to end, and no secret', () => {
    const [[, group] = []] = ofType('AWS::RDS::DBProxyTargetGroup');
    assert.deepEqual(group?.Properties.DBClusterIdentifiers, [{ Ref: cluster }]);
    assert.equal(group?.Properties.DBInstanceIdentifiers, undefined);
    assert.deepEqual(group?.Properties.ConnectionPoolConfigurationInfo, { ConnectionBorrowTimeout: 10, MaxConnectionsPercent: 90 });
    const p = (resources[proxy] as Resource).Properties;
    assert.equal(p.EngineFamily, 'POSTGRESQL');
    assert.equal(p.DefaultAuthScheme, 'IAM_AUTH');
    assert.equal(p.Auth, undefined);
    assert.equal(p.RequireTLS, true);
  });

  test('the reader is reached through a read-only proxy endpoint in the proxy’s security group; both reader endpoints are outputs', () => {
    const endpoints = ofType('AWS::RDS::DBProxyEndpoint');
    assert.equal(endpoints.length, 1);
    const [endpointId, endpoint] = endpoints[0] as [string, Resource];
    assert.equal(endpoint.Properties.TargetRole, 'READ_ONLY');
    assert.deepEqual(endpoint.Properties.DBProxyName, { Ref: proxy });
    assert.deepEqual(endpoint.Properties.VpcSecurityGroupIds, [sgOf(stack.database.proxy.connections.securityGroups[0] as IConstruct)]);
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    assert.deepEqual(outputs.ProxyReadOnlyEndpoint?.Value, { 'Fn::GetAtt': [endpointId, 'Endpoint'] });
    assert.deepEqual(outputs.ReaderEndpoint?.Value, { 'Fn::GetAtt': [cluster, 'ReadEndpoint.Address'] });
  });
});

describe('alarms and dashboard (Aurora)', () => {
  alarmDocsChecks(synth, 'aurora');
  const alarms = flatAlarms(template);
  const byName = (name: string) => alarmNamed(alarms, stack.stackName, name);
  const writer = [
    { Name: 'DBClusterIdentifier', Value: { Ref: cluster } },
    { Name: 'Role', Value: 'WRITER' },
  ];

  test('database alarms: CPU, capacity near the maximum, local storage, freeable memory of the maximum ACUs, all on the writer role', () => {
    const expect = databaseAlarmCheck(alarms, stack.stackName, writer);
    expect('DatabaseCpu', 'CPUUtilization', 'GreaterThanThreshold', 80);
    expect('DatabaseCapacity', 'ACUUtilization', 'GreaterThanThreshold', NEAR_MAX_CAPACITY_PERCENT);
    expect('DatabaseFreeLocalStorage', 'FreeLocalStorage', 'LessThanThreshold', LOW_LOCAL_STORAGE_BYTES);
    // 10% of 16 ACUs × 2 GiB.
    expect('DatabaseFreeableMemory', 'FreeableMemory', 'LessThanThreshold', Math.round(0.1 * 16 * 2 * 1024 ** 3));
    const names = alarms.map((a) => a.AlarmName);
    assert.ok(!names.includes('LoginEtlAurora-DatabaseCpuCredits'), 'no CPU credits: Serverless v2 is not burstable');
    assert.ok(!names.includes('LoginEtlAurora-DatabaseFreeStorage'), 'no allocated storage: the cluster volume grows by itself');
  });

  test('the proxy and function alarms are the instance stack’s', () => {
    for (const name of ['ProxyBorrowLatency', 'ProxyFailedAuth', 'FunctionDuration', 'DeadLetterAge']) byName(name);
    assert.deepEqual(byName('ProxyBorrowLatency').Dimensions, [{ Name: 'ProxyName', Value: { Ref: proxy } }]);
  });

  test('the dashboard graphs the writer and the reader: ACUs, CPU, I/O, memory, local storage, connections', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    assert.equal(dashboards.length, 1);
    const body = JSON.stringify(dashboards[0]);
    for (const name of ['ServerlessDatabaseCapacity', 'CPUUtilization', 'WriteIOPS', 'ReadIOPS', 'FreeableMemory', 'FreeLocalStorage', 'DatabaseConnections']) {
      assert.ok(body.includes(`\\"${name}\\"`), `dashboard shows ${name}`);
    }
    assert.ok(body.includes('\\"WRITER\\"') && body.includes('\\"READER\\"'), 'both roles');
    assert.ok(!body.includes('\\"CPUCreditBalance\\"') && !body.includes('\\"FreeStorageSpace\\"'));
  });
});

describe('cdk-nag (AwsSolutions), database=aurora', () => {
  cdkNagChecks(synth);
});

noCycleCheck(synth);
