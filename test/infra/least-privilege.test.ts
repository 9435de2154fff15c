/**
 * Who may do what, read from the synthesized template of a stack with two
 * named operators: the vault key's policy, the keyring's resource policy,
 * the database logins the proxy knows and who may sign in as which, and the
 * master login's single user. The same assertions run on each engine behind
 * the proxy: an RDS instance (the default) and an Aurora cluster
 * (`-c database=aurora`). docs/pii.md's threat table cites these tests.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { DatabaseEngine } from '../../infra/context.js';
import { KEY_ADMIN_ACTIONS, KEYRING_ROTATION_ACTIONS } from '../../infra/constructs/pii-keys.js';
import { MAINTENANCE_LOGIN, OPERATOR_LOGIN_PREFIX, PIPELINE_LOGIN } from '../../lambda/db/login-names.js';
import { KMS_CONTEXT_DATA_KEY_ID, KMS_CONTEXT_PURPOSE, KMS_CONTEXT_PURPOSE_KEY } from '../../lambda/vault/kms-context.js';
import { actionMatches, rolesAllowed, roleStatements } from './iam.js';
import { logicalIdOf, synthesize, type Synthesized } from './synth.js';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
const roleId = (role: unknown) => logicalIdOf(role as IConstruct);
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const principalIds = (principal: unknown): string[] =>
  list((principal as { AWS: unknown }).AWS).map((p) => JSON.stringify(p));

const CRYPTO_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:CreateGrant',
  'kms:GenerateMac',
  'kms:Sign',
];

/** The dbuser ARN's resource id attribute on the server: an instance's, or a cluster's. */
const SERVER_RESOURCE_ID: Record<DatabaseEngine, string> = { rds: 'DbiResourceId', aurora: 'DBClusterResourceId' };

/** One engine's synthesized stack and the logical ids the assertions name. */
interface Suite {
  readonly engine: DatabaseEngine;
  readonly template: Template;
  readonly stack: Synthesized['stack'];
  readonly resources: Record<string, Resource>;
  readonly ids: Record<'pipelineRole' | 'maintenanceRole' | 'migratorRole' | 'proxyRole' | 'alice' | 'bob' | 'vaultKey' | 'keyring' | 'instance' | 'proxy' | 'pipelineFn' | 'migratorFn', string>;
  readonly operatorRoles: string[];
}

function suiteOf(engine: DatabaseEngine, { template, stack }: Synthesized): Suite {
  const ids = {
    pipelineRole: roleId(stack.pipeline.role),
    maintenanceRole: roleId(stack.maintenance.role),
    migratorRole: roleId(stack.schema.fn.role),
    proxyRole: roleId(stack.database.proxyRole),
    alice: roleId(stack.operators.operators[0]?.role),
    bob: roleId(stack.operators.operators[1]?.role),
    vaultKey: logicalIdOf(stack.keys.vaultKey),
    keyring: logicalIdOf(stack.keys.maskingSecret),
    instance: logicalIdOf(stack.database.server.target),
    proxy: logicalIdOf(stack.database.proxy),
    pipelineFn: logicalIdOf(stack.pipeline.fn),
    migratorFn: logicalIdOf(stack.schema.fn),
  };
  const resources = template.toJSON().Resources as Record<string, Resource>;
  return { engine, template, stack, resources, ids, operatorRoles: [ids.alice, ids.bob] };
}

const propsIn = (resources: Record<string, Resource>) => (id: string) => (resources[id] as Resource).Properties;

/** The vault key's policy: who may use the key, and for what. */
function vaultKeyPolicy({ template, resources, ids, operatorRoles }: Suite): void {
  const props = propsIn(resources);
  describe('vault key policy', () => {
    const statements = (props(ids.vaultKey).KeyPolicy as { Statement: Statement[] }).Statement;
    const bySid = (sid: string): Statement => {
      const st = statements.find((s) => s.Sid === sid);
      assert.ok(st, sid);
      return st;
    };
    const purpose = { [`kms:EncryptionContext:${KMS_CONTEXT_PURPOSE_KEY}`]: KMS_CONTEXT_PURPOSE };
    const vaultContextKeys = [KMS_CONTEXT_PURPOSE_KEY, KMS_CONTEXT_DATA_KEY_ID];

    test('the account root keeps key administration only: no cryptographic action, no CreateGrant', () => {
      const admin = bySid('AccountAdministersKeyOnly');
      assert.equal(admin.Effect, 'Allow');
      assert.match(JSON.stringify(admin.Principal), /:iam::".*"AWS::AccountId".*:root/);
      assert.deepEqual(list(admin.Action).sort(), [...KEY_ADMIN_ACTIONS].sort());
      for (const action of CRYPTO_ACTIONS) {
        assert.ok(!list(admin.Action).some((a) => actionMatches(a, action)), `root must not hold ${action}`);
      }
      // What CloudFormation needs to create, update and delete the key and its alias.
      for (const action of ['kms:PutKeyPolicy', 'kms:EnableKeyRotation', 'kms:ScheduleKeyDeletion', 'kms:CreateAlias', 'kms:TagResource']) {
        assert.ok(list(admin.Action).some((a) => actionMatches(a, action)), `root keeps ${action}`);
      }
      assert.equal(admin.Condition, undefined);
    });

    test('the pipeline role may GenerateDataKey only, with purpose = login-etl-pii-vault and a data_key_id in the encryption context', () => {
      const st = bySid('PipelineGeneratesVaultDataKeys');
      assert.equal(st.Effect, 'Allow');
      assert.deepEqual(principalIds(st.Principal), [JSON.stringify(arnOf(ids.pipelineRole))]);
      assert.deepEqual(st.Action, 'kms:GenerateDataKey');
      assert.deepEqual(st.Condition, {
        StringEquals: purpose,
        // No context key beyond these two...
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': vaultContextKeys },
        // ...and data_key_id present, so CloudTrail names every data key.
        'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': [KMS_CONTEXT_DATA_KEY_ID] },
      });
    });

    test('each operator role may Decrypt only, with the vault purpose in the encryption context', () => {
      const st = bySid('OperatorsDecryptVaultDataKeys');
      assert.equal(st.Effect, 'Allow');
      assert.deepEqual(principalIds(st.Principal).sort(), operatorRoles.map((id) => JSON.stringify(arnOf(id))).sort());
      assert.deepEqual(st.Action, 'kms:Decrypt');
      // data_key_id not required: data keys made before it carry purpose only.
      assert.deepEqual(st.Condition, {
        StringEquals: purpose,
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': vaultContextKeys },
      });
    });

    test('no other statement, principal or IAM policy in the template can use the key', () => {
      assert.deepEqual(statements.map((s) => s.Sid).sort(), [
        'AccountAdministersKeyOnly',
        'OperatorsDecryptVaultDataKeys',
        'PipelineGeneratesVaultDataKeys',
      ]);
      for (const st of statements) {
        assert.equal(st.Effect, 'Allow');
        assert.ok(!list(st.Action).some((a) => a === '*' || a === 'kms:*'), `${st.Sid} has a wildcard action`);
      }
      // Identity policies cannot add crypto (the root statement delegates none),
      // and none tries to.
      for (const action of CRYPTO_ACTIONS) assert.deepEqual(rolesAllowed(template, action, ids.vaultKey), [], action);
    });
  });
}

/** The masking keyring's resource policy and IAM reads. */
function keyringPolicy({ template, resources, ids, operatorRoles }: Suite): void {
  describe('masking keyring resource policy', () => {
    const policy = Object.values(resources).find(
      (r) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && JSON.stringify(r.Properties.SecretId) === JSON.stringify({ Ref: ids.keyring }),
    );
    const statements = (policy?.Properties.ResourcePolicy as { Statement: Statement[] } | undefined)?.Statement ?? [];
    const denyFor = (sid: string) => {
      const st = statements.find((s) => s.Sid === sid);
      assert.ok(st, sid);
      assert.equal(st.Effect, 'Deny');
      assert.deepEqual(st.Principal, { AWS: '*' });
      return st;
    };
    const exempt = (st: Statement) =>
      list(st.Condition?.ArnNotEquals?.['aws:PrincipalArn'] as unknown)
        .map((a) => JSON.stringify(a))
        .sort();

    test('GetSecretValue is denied to every principal but the pipeline and operator roles', () => {
      const st = denyFor('OnlyPipelineAndOperatorsRead');
      assert.deepEqual(st.Action, 'secretsmanager:GetSecretValue');
      assert.deepEqual(Object.keys(st.Condition ?? {}), ['ArnNotEquals']);
      assert.deepEqual(exempt(st), [ids.pipelineRole, ...operatorRoles].map((id) => JSON.stringify(arnOf(id))).sort());
    });

    test('PutSecretValue and UpdateSecretVersionStage are denied to every principal but the operator roles', () => {
      const st = denyFor('OnlyOperatorsRotate');
      assert.deepEqual(list(st.Action).sort(), [...KEYRING_ROTATION_ACTIONS].sort());
      assert.deepEqual(exempt(st), operatorRoles.map((id) => JSON.stringify(arnOf(id))).sort());
      assert.equal(statements.length, 2);
    });

    test('only the pipeline and operator roles hold IAM reads of the keyring; only operators may rotate it', () => {
      assert.deepEqual(rolesAllowed(template, 'secretsmanager:GetSecretValue', ids.keyring), [ids.pipelineRole, ...operatorRoles].sort());
      for (const action of KEYRING_ROTATION_ACTIONS) {
        assert.deepEqual(rolesAllowed(template, action, ids.keyring), [...operatorRoles].sort(), action);
      }
    });
  });
}

/** Every `rds-db:connect` grant: which role, on the proxy or the server (instance or cluster), as which login. */
function connectGrants({ template, ids, engine }: Suite): { role: string; target: 'proxy' | 'instance'; login: string }[] {
  return roleStatements(template)
    .filter((st) => st.actions.includes('rds-db:connect'))
    .flatMap((st) =>
      list(st.resource).map((r) => {
        const text = JSON.stringify(r);
        const login = /\/([a-z0-9_]+)"\]\]\}$/.exec(text)?.[1] ?? '?';
        const target = text.includes(`"${ids.proxy}","DBProxyArn"`)
          ? ('proxy' as const)
          : text.includes(`"${ids.instance}","${SERVER_RESOURCE_ID[engine]}"`)
            ? ('instance' as const)
            : assert.fail(`rds-db:connect on something else: ${text}`);
        return { role: st.role, target, login };
      }),
    );
}

/** Who may sign in through the proxy, as which login. */
function databaseLogins(suite: Suite): void {
  const { template, resources, ids, operatorRoles } = suite;
  const props = propsIn(resources);
  describe('database logins through RDS Proxy', () => {
    const grants = connectGrants(suite);
    const loginsOf = (role: string, target: 'proxy' | 'instance') =>
      grants.filter((g) => g.role === role && g.target === target).map((g) => g.login).sort();

    test('the proxy uses end-to-end IAM authentication and holds no secret', () => {
      const proxy = props(ids.proxy);
      assert.equal(proxy.DefaultAuthScheme, 'IAM_AUTH');
      assert.equal(proxy.Auth, undefined);
      assert.equal(proxy.RequireTLS, true);
      assert.deepEqual(proxy.RoleArn, arnOf(ids.proxyRole));
      const proxyRoleActions = roleStatements(template).filter((st) => st.role === ids.proxyRole).flatMap((st) => st.actions);
      assert.deepEqual([...new Set(proxyRoleActions)], ['rds-db:connect'], 'no secret read, no KMS');
    });

    test('the proxy role may sign in to the instance as the pipeline, maintenance and operator logins only', () => {
      assert.deepEqual(loginsOf(ids.proxyRole, 'instance'), [
        MAINTENANCE_LOGIN,
        `${OPERATOR_LOGIN_PREFIX}alice`,
        `${OPERATOR_LOGIN_PREFIX}bob_smith`,
        PIPELINE_LOGIN,
      ]);
      assert.deepEqual(loginsOf(ids.proxyRole, 'proxy'), []);
      // Only the proxy's role may sign in to the instance directly with IAM.
      assert.deepEqual([...new Set(grants.filter((g) => g.target === 'instance').map((g) => g.role))], [ids.proxyRole]);
    });

    test('the pipeline role may connect through the proxy as login_etl_pipeline only (grantConnect)', () => {
      assert.deepEqual(loginsOf(ids.pipelineRole, 'proxy'), [PIPELINE_LOGIN]);
      assert.deepEqual(loginsOf(ids.pipelineRole, 'instance'), []);
    });

    test('the maintenance role may connect through the proxy as login_etl_maintenance only (grantConnect)', () => {
      assert.deepEqual(loginsOf(ids.maintenanceRole, 'proxy'), [MAINTENANCE_LOGIN]);
      assert.deepEqual(loginsOf(ids.maintenanceRole, 'instance'), []);
    });

    test('each operator role may connect through the proxy as its own login only', () => {
      assert.deepEqual(loginsOf(ids.alice, 'proxy'), [`${OPERATOR_LOGIN_PREFIX}alice`]);
      assert.deepEqual(loginsOf(ids.bob, 'proxy'), [`${OPERATOR_LOGIN_PREFIX}bob_smith`]);
      const roles = new Set(grants.map((g) => g.role));
      assert.deepEqual([...roles].sort(), [ids.pipelineRole, ids.maintenanceRole, ids.proxyRole, ...operatorRoles].sort());
    });

    test('the pipeline function signs in as login_etl_pipeline through the proxy with IAM tokens and verify-full TLS (DB_USER)', () => {
      const env = (props(ids.pipelineFn).Environment as { Variables: Record<string, unknown> }).Variables;
      assert.equal(env.DB_USER, PIPELINE_LOGIN);
      assert.deepEqual(env.DB_HOST, { 'Fn::GetAtt': [ids.proxy, 'Endpoint'] });
      assert.equal(env.DB_IAM_AUTH, 'true');
      assert.equal(env.DB_SSL, 'verify-full');
      assert.equal(env.DB_SECRET_ARN, undefined);
    });
  });
}

/** The master login's single user. */
function masterLogin(suite: Suite): void {
  const { template, stack, resources, ids } = suite;
  const props = propsIn(resources);
  describe('master login', () => {
    const secretIds = Object.entries(resources)
      .filter(([, r]) => ['AWS::SecretsManager::Secret', 'AWS::SecretsManager::SecretTargetAttachment'].includes(r.Type))
      .filter(([id, r]) => id !== ids.keyring && (r.Type !== 'AWS::SecretsManager::Secret' || JSON.stringify(r).includes('login_etl_admin')))
      .map(([id]) => id);

    test('only the schema migrator may read the master secret; the pipeline’s and the maintenance’s roles reach nothing of it', () => {
      assert.equal(secretIds.length, 2, 'the generated secret and its attachment');
      // The attachment's Ref is the same secret's ARN: grants name either.
      for (const action of ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) {
        const roles = new Set(secretIds.flatMap((id) => rolesAllowed(template, action, id)));
        assert.deepEqual([...roles], [ids.migratorRole], action);
      }
      for (const role of [ids.pipelineRole, ids.maintenanceRole]) {
        const policies = JSON.stringify(roleStatements(template).filter((st) => st.role === role));
        for (const id of secretIds) assert.ok(!policies.includes(`"${id}"`), role);
      }
    });

    test('the migrator signs in to the instance (not the proxy) with the master secret and verify-full TLS, and creates the operators’ logins', () => {
      const env = (props(ids.migratorFn).Environment as { Variables: Record<string, unknown> }).Variables;
      assert.ok(secretIds.includes((env.DB_SECRET_ARN as { Ref: string }).Ref));
      assert.deepEqual(env.DB_HOST, { 'Fn::GetAtt': [ids.instance, 'Endpoint.Address'] });
      assert.equal(env.DB_IAM_AUTH, 'false');
      assert.equal(env.DB_SSL, 'verify-full');
      assert.equal(env.DB_USER, undefined, 'the secret’s username');
      assert.equal(env.OPERATOR_LOGINS, 'alice,bob_smith');
      assert.deepEqual(connectGrants(suite).filter((g) => g.role === ids.migratorRole), []);
    });

    test('only the proxy, the migrator and the rotation function reach the instance’s port', () => {
      const instanceSg = logicalIdOf(stack.database.server.target.connections.securityGroups[0] as IConstruct);
      const sources = Object.values(resources)
        .filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress')
        .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [instanceSg, 'GroupId'] }))
        .map((r) => (r.Properties.SourceSecurityGroupId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0])
        .sort();
      const sg = (c: IConstruct) => logicalIdOf(c);
      assert.deepEqual(
        sources,
        [
          sg(stack.database.proxy.connections.securityGroups[0] as IConstruct),
          sg(stack.schema.fn.connections.securityGroups[0] as IConstruct),
          sg(stack.database.node.findChild('RotationSecurityGroup')),
        ].sort(),
      );
    });
  });
}

/** The operators' roles: trust, session length, what they hold. */
function operatorAccess({ template, stack, resources, ids, operatorRoles }: Suite): void {
  const props = propsIn(resources);
  describe('operator roles', () => {
    test('trust the account, require MFA by default, and last an hour', () => {
      for (const id of operatorRoles) {
        const role = props(id);
        const [statement, ...rest] = (role.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
        assert.equal(rest.length, 0);
        assert.match(JSON.stringify(statement?.Principal), /:iam::".*"AWS::AccountId".*:root/);
        assert.deepEqual(statement?.Condition, { Bool: { 'aws:MultiFactorAuthPresent': 'true' } });
        assert.equal(role.MaxSessionDuration, 3600);
      }
    });

    test('hold nothing beyond their login, the keyring and (in the key policy) Decrypt', () => {
      for (const id of operatorRoles) {
        const actions = roleStatements(template).filter((st) => st.role === id).flatMap((st) => st.actions);
        assert.deepEqual(
          [...new Set(actions)].sort(),
          ['rds-db:connect', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', ...KEYRING_ROTATION_ACTIONS].sort(),
        );
      }
    });

    test('each role’s ARN is a stack output, and the operators’ security group reaches the proxy and the two endpoints', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      assert.deepEqual(outputs.OperatorRoleArnalice?.Value, arnOf(ids.alice));
      assert.deepEqual(outputs.OperatorRoleArnbobUsmith?.Value, arnOf(ids.bob));
      const sg = logicalIdOf(stack.operators.securityGroup as IConstruct);
      const reached = Object.values(resources)
        .filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(r.Properties.SourceSecurityGroupId).includes(`"${sg}"`))
        .map((r) => JSON.stringify(r.Properties.GroupId));
      assert.equal(reached.length, 3);
      assert.ok(reached.some((g) => g.includes('ProxySecurityGroup')));
    });
  });
}

// Both synthesized first: each takes its bundling time once.
const synths = { rds: synthesize({ operators: 'alice,bob_smith' }), aurora: synthesize({ operators: 'alice,bob_smith', database: 'aurora' }) };
for (const engine of ['rds', 'aurora'] as const) {
  describe(`database=${engine}`, () => {
    const suite = suiteOf(engine, synths[engine]);
    vaultKeyPolicy(suite);
    keyringPolicy(suite);
    databaseLogins(suite);
    masterLogin(suite);
    operatorAccess(suite);
  });
}
