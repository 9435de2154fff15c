import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import type { Network } from './network.js';

export const DATABASE_NAME = 'login_etl';
/** The RDS master user: its password lives in the generated, rotated secret. */
const ADMIN_USER = 'login_etl_admin';
export const PORT = 5432;
/** Storage at creation; storage autoscaling grows it when less than 10% is free. */
export const ALLOCATED_STORAGE_GIB = 20;

interface InstanceOptions {
  readonly network: Network;
  readonly prod: boolean;
  /** RDS instance class without the `db.` prefix. */
  readonly instanceType: string;
  readonly instanceIdentifier: string;
}

/**
 * The PostgreSQL instance in the data subnets, with its own security group
 * (the Database construct admits the proxy, the migrator and the rotation
 * function), TLS-only parameters and the posture prod=true asks for.
 */
export function createDatabaseInstance(scope: Construct, props: InstanceOptions): rds.DatabaseInstance {
  const { network, prod } = props;
  // PostgreSQL 17: aws-cdk-lib also lists 18, but RDS Proxy adds a new
  // major some time after RDS does, and a proxy that rejects its target
  // fails the whole deploy. Check the RDS Proxy engine table before moving
  // to 18 (the local test suite runs 18; the schema uses nothing 18-only).
  // Major-only, so RDS applies minor versions (autoMinorVersionUpgrade)
  // without CloudFormation trying to pin them back.
  const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
  const instanceSg = new ec2.SecurityGroup(scope, 'InstanceSecurityGroup', {
    vpc: network.vpc,
    description: 'login-etl database: reachable from the proxy, the schema migrator and the rotation function only',
    allowAllOutbound: false,
  });
  const instance = new rds.DatabaseInstance(scope, 'Instance', {
    engine,
    instanceIdentifier: props.instanceIdentifier,
    instanceType: new ec2.InstanceType(props.instanceType),
    vpc: network.vpc,
    vpcSubnets: network.dataSubnets,
    securityGroups: [instanceSg],
    port: PORT,
    credentials: rds.Credentials.fromGeneratedSecret(ADMIN_USER),
    databaseName: DATABASE_NAME,
    parameterGroup: parameterGroup(scope, engine),
    caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    storageEncrypted: true,
    storageType: rds.StorageType.GP3,
    allocatedStorage: ALLOCATED_STORAGE_GIB,
    maxAllocatedStorage: 100,
    publiclyAccessible: false,
    // The proxy signs in with IAM tokens as the pipeline and operator
    // logins, which hold rds_iam. The master login must not: it signs in
    // with its rotated password (migrator, rotation function).
    iamAuthentication: true,
    multiAz: prod,
    backupRetention: Duration.days(prod ? 14 : 7),
    deleteAutomatedBackups: !prod,
    copyTagsToSnapshot: true,
    autoMinorVersionUpgrade: true,
    cloudwatchLogsExports: ['postgresql'],
    deletionProtection: prod,
    removalPolicy: prod ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
  });
  acknowledgePosture(instance, prod);
  return instance;
}

function parameterGroup(scope: Construct, engine: rds.IInstanceEngine): rds.ParameterGroup {
  return new rds.ParameterGroup(scope, 'Parameters', {
    engine,
    description: 'login-etl: TLS only; connections, lock waits and slow statements logged without their values',
    parameters: {
      'rds.force_ssl': '1',
      // Who signed in, as which login, from where: the audit of database
      // access. Cheap here, as the proxy reuses its connections.
      log_connections: '1',
      // A wait longer than deadlock_timeout (1 s) is logged with who holds
      // the lock: DDL queued behind a long transaction, or inserts queued
      // behind DDL. PostgreSQL cannot log a transaction by its length; a long
      // one shows here, through the waits it causes, and below.
      log_lock_waits: '1',
      // The batch write takes milliseconds; a statement running a second or
      // more is a symptom (lock waits, saturated I/O, a grown table).
      log_min_duration_statement: '1000',
      // ...logged without its bind parameters, which are the records. The
      // values are masked tokens and sealed bytes, but none of it belongs in
      // a log (the default, -1, logs them in full).
      log_parameter_max_length: '0',
      log_parameter_max_length_on_error: '0',
      // A session that opened a transaction and went quiet (a forgotten
      // psql BEGIN) holds its locks and blocks vacuum: closed, and logged,
      // after 5 minutes. A running statement is not idle, so a long
      // migration is not affected.
      idle_in_transaction_session_timeout: '300000',
    },
  });
}

/** The cdk-nag findings this instance answers by design rather than by setting. */
function acknowledgePosture(instance: rds.DatabaseInstance, prod: boolean): void {
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
