import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { instanceClassOf } from '../instance-class.js';
import {
  acknowledgeServerPosture,
  ADMIN_USER,
  backupRetention,
  DATABASE_NAME,
  PORT,
  postgresParameterGroup,
  serverSecurityGroup,
  type BuildDatabaseServer,
} from './database-server.js';
import { FixedNameLogGroup } from './fixed-name-log-group.js';
import { instanceMetrics } from './instance-metrics.js';
import type { Network } from './network.js';

/** Storage at creation; storage autoscaling grows it when less than 10% is free. */
const ALLOCATED_STORAGE_GIB = 20;

/**
 * `-c database=rds` (the default): one RDS for PostgreSQL instance of the
 * given class (without the `db.` prefix), named `<stack>-postgres`.
 */
export function instanceServer(instanceType: string): BuildDatabaseServer {
  return (scope, { network, prod, stackName }) => {
    const instanceIdentifier = `${stackName.toLowerCase()}-postgres`;
    // RDS creates this log group on first export with no expiry, so it must
    // exist, with its retention, before the instance.
    const postgresLogs = new FixedNameLogGroup(scope, 'PostgresLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      prod,
    });
    const instance = createDatabaseInstance(scope, { network, prod, instanceType, instanceIdentifier });
    // On the DB instance resource only: the construct's children need not wait.
    instance.node.defaultChild?.node.addDependency(postgresLogs.ready);
    return {
      target: instance,
      writerAddress: instance.dbInstanceEndpointAddress,
      metrics: instanceMetrics(instance, instanceClassOf(instanceType), ALLOCATED_STORAGE_GIB * 1024 ** 3),
    };
  };
}

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
function createDatabaseInstance(scope: Construct, props: InstanceOptions): rds.DatabaseInstance {
  const { network, prod } = props;
  // PostgreSQL 17: aws-cdk-lib also lists 18, but RDS Proxy adds a new
  // major some time after RDS does, and a proxy that rejects its target
  // fails the whole deploy. Check the RDS Proxy engine table before moving
  // to 18 (the local test suite runs 18; the schema uses nothing 18-only).
  // Major-only, so RDS applies minor versions (autoMinorVersionUpgrade)
  // without CloudFormation trying to pin them back.
  const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
  const instanceSg = serverSecurityGroup(scope, 'InstanceSecurityGroup', network);
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
    parameterGroup: postgresParameterGroup(scope, engine),
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
    backupRetention: backupRetention(prod),
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

/** The cdk-nag findings this instance answers by design rather than by setting. */
function acknowledgePosture(instance: rds.DatabaseInstance, prod: boolean): void {
  if (!prod) {
    // Deliberate non-production posture; prod=true turns each on.
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-RDS3',
      reason: 'Non-production deploy (prod=false): single-AZ halves the instance cost; prod=true enables Multi-AZ.',
    });
  }
  acknowledgeServerPosture(instance, prod);
}
