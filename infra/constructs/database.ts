import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DB_CONNECT_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS } from '../context.js';
import type { Network } from './network.js';

export interface DatabaseProps {
  readonly network: Network;
  readonly prod: boolean;
  /** RDS instance class without the `db.` prefix. */
  readonly instanceType: string;
  /** Fixes the instance identifier, so the exported log group can exist first. */
  readonly stackName: string;
}

const DATABASE_NAME = 'login_etl';
/** The RDS master user; its password lives in the generated, rotated secret. */
const ADMIN_USER = 'login_etl_admin';
const PORT = 5432;

/**
 * RDS for PostgreSQL behind RDS Proxy. Clients (the pipeline and the
 * migration trigger) reach it only through the proxy, with TLS and IAM
 * tokens: they never see the database password, which only the proxy and
 * the rotation function can read.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly proxy: rds.DatabaseProxy;
  readonly secret: secretsmanager.ISecret;
  /** Environment for a client built with lambda/config.ts (DB_* variables). */
  readonly clientEnvironment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { network, prod } = props;
    const vpc = network.vpc;

    // PostgreSQL 17: aws-cdk-lib also lists 18, but RDS Proxy adds a new
    // major some time after RDS does, and a proxy that rejects its target
    // fails the whole deploy. Check the RDS Proxy engine table before moving
    // to 18 (the local test suite runs 18; the schema uses nothing 18-only).
    // Major-only, so RDS applies minor versions (autoMinorVersionUpgrade)
    // without CloudFormation trying to pin them back.
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'login-etl: TLS-only connections',
      parameters: { 'rds.force_ssl': '1' },
    });

    const instanceIdentifier = `${props.stackName.toLowerCase()}-postgres`;
    // RDS creates this log group on first export with no expiry; creating it
    // first sets retention without a log-retention custom resource.
    const postgresLogs = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      retention: prod ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const instanceSg = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc,
      description: 'login-etl database: reachable from the proxy and the rotation function only',
      allowAllOutbound: false,
    });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceIdentifier,
      instanceType: new ec2.InstanceType(props.instanceType),
      vpc,
      vpcSubnets: network.dataSubnets,
      securityGroups: [instanceSg],
      port: PORT,
      credentials: rds.Credentials.fromGeneratedSecret(ADMIN_USER),
      databaseName: DATABASE_NAME,
      parameterGroup,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      publiclyAccessible: false,
      // Lets operators sign in with IAM tokens too. The proxy still signs in
      // with the secret, so the admin user must not be granted rds_iam.
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
    // On the DB instance resource only: the construct's children (secret,
    // proxy) need not wait.
    this.instance.node.defaultChild?.node.addDependency(postgresLogs);
    this.secret = requireSecret(this.instance);

    // Single-user rotation every 30 days by a Secrets Manager hosted function
    // in the VPC: it needs the database and the Secrets Manager endpoint.
    const rotationSg = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc,
      description: 'login-etl secret rotation: database and Secrets Manager only',
      allowAllOutbound: false,
    });
    this.instance.connections.allowDefaultPortFrom(rotationSg, 'secret rotation');
    network.secretsManagerEndpoint.connections.allowDefaultPortFrom(rotationSg, 'secret rotation');
    const rotation = this.secret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        vpc,
        vpcSubnets: network.appSubnets,
        securityGroups: [rotationSg],
      }),
      automaticallyAfter: Duration.days(30),
      // The first rotation waits for the schedule instead of racing the
      // migration trigger at create time; docs/deploy.md shows how to test it.
      rotateImmediatelyOnUpdate: false,
    });
    rotation.node.addDependency(network.secretsManagerEndpoint);

    const proxySg = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc,
      description: 'login-etl RDS Proxy: clients in, database out',
      allowAllOutbound: false,
    });
    // The proxy reads the secret with its own role; if it does so from its
    // ENIs in this egress-less VPC, the endpoint is the only way out.
    network.secretsManagerEndpoint.connections.allowDefaultPortFrom(proxySg, 'RDS Proxy secret reads');
    this.proxy = this.instance.addProxy('Proxy', {
      vpc,
      vpcSubnets: network.dataSubnets,
      securityGroups: [proxySg],
      secrets: [this.secret],
      requireTLS: true,
      // Clients authenticate with 15-minute IAM tokens; no password leaves
      // Secrets Manager except to the proxy.
      iamAuth: true,
      clientPasswordAuthType: rds.ClientPasswordAuthType.POSTGRES_SCRAM_SHA_256,
      // Headroom for the rotation function and an operator's session.
      maxConnectionsPercent: 90,
      // Debug logging would write SQL text to CloudWatch.
      debugLogging: false,
    });

    this.clientEnvironment = {
      DB_HOST: this.proxy.endpoint,
      DB_PORT: String(PORT),
      DB_NAME: DATABASE_NAME,
      DB_USER: ADMIN_USER,
      DB_IAM_AUTH: 'true',
      DB_SSL: 'verify-full',
      DB_CONNECT_TIMEOUT_MS: String(DB_CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(DB_STATEMENT_TIMEOUT_MS),
      // One connection per sandbox: an invocation writes one batch at a time,
      // so concurrency (capped by the event source mapping) = connections.
      DB_POOL_MAX: '1',
    };
  }

  /** Lets a function in the VPC connect through the proxy as the client user. */
  grantClient(fn: lambda.Function): void {
    // The proxy's Connections carry no default port, hence the explicit one.
    this.proxy.connections.allowFrom(fn, ec2.Port.tcp(PORT), `${fn.node.id} to the proxy`);
    this.proxy.grantConnect(fn, ADMIN_USER);
  }
}

function requireSecret(instance: rds.DatabaseInstance): secretsmanager.ISecret {
  // Always set with Credentials.fromGeneratedSecret; the type just cannot say so.
  if (!instance.secret) throw new Error('the database instance has no generated secret');
  return instance.secret;
}
