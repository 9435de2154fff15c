import { Duration, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct, IConstruct } from 'constructs';
import type { AlarmSpec } from './alarms.js';
import type { Network } from './network.js';

/**
 * The contract between the proxy design (constructs/database.ts) and the
 * PostgreSQL behind it. Two engines implement it: an RDS for PostgreSQL
 * instance (database-instance.ts) and an Aurora PostgreSQL Serverless v2
 * cluster (aurora-cluster.ts); the stack picks one from `-c database=`.
 */

export const DATABASE_NAME = 'login_etl';
/** The master user: its password lives in the generated, rotated secret. */
export const ADMIN_USER = 'login_etl_admin';
export const PORT = 5432;

/**
 * What both engines set in their parameter group: TLS only; connections,
 * lock waits and slow statements logged without their values; forgotten
 * transactions closed.
 */
const POSTGRES_PARAMETERS: Readonly<Record<string, string>> = {
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
};

/** The engine's parameter group (an instance's, or a cluster's) with {@link POSTGRES_PARAMETERS}. */
export function postgresParameterGroup(scope: Construct, engine: rds.IEngine): rds.ParameterGroup {
  return new rds.ParameterGroup(scope, 'Parameters', {
    engine,
    description: 'login-etl: TLS only; connections, lock waits and slow statements logged without their values',
    parameters: { ...POSTGRES_PARAMETERS },
  });
}

/** How long automated backups are kept. */
export const backupRetention = (prod: boolean): Duration => Duration.days(prod ? 14 : 7);

/**
 * The server's own security group, open to nobody yet: the Database
 * construct admits the proxy, the schema migrator and the rotation function.
 */
export function serverSecurityGroup(scope: Construct, id: string, network: Network): ec2.SecurityGroup {
  return new ec2.SecurityGroup(scope, id, {
    vpc: network.vpc,
    description: 'login-etl database: reachable from the proxy, the schema migrator and the rotation function only',
    allowAllOutbound: false,
  });
}

/**
 * What the proxy design needs of the server, which both an
 * `rds.DatabaseInstance` and an `rds.DatabaseCluster` are.
 */
export interface DatabaseTarget extends IConstruct {
  /** The server's security group, with the PostgreSQL port as its default. */
  readonly connections: ec2.Connections;
  /** The master login's secret (the attachment to the server). */
  readonly secret?: secretsmanager.ISecret;
  addProxy(id: string, options: rds.DatabaseProxyOptions): rds.DatabaseProxy;
  /** `rds-db:connect` as `dbUser` on the server itself (an instance's or a cluster's resource id). */
  grantConnect(grantee: iam.IGrantable, dbUser: string): iam.Grant;
}

/** The server's metrics the alarms and the dashboard read; the writer's, on Aurora. */
export interface DatabaseMetrics {
  readonly cpu: cloudwatch.Metric;
  readonly freeableMemory: cloudwatch.Metric;
  readonly writeIops: cloudwatch.Metric;
  readonly readIops: cloudwatch.Metric;
  readonly connections: cloudwatch.Metric;
  /** Beside CPU on the dashboard: CPU credits on a burstable class, ACUs on Aurora. */
  readonly cpuCompanions: readonly cloudwatch.IMetric[];
  /** Beside freeable memory on the dashboard: the storage that can run out. */
  readonly storage: readonly cloudwatch.IMetric[];
  /** The server's alarms, in the order the dashboard lists them. */
  readonly alarms: readonly AlarmSpec[];
}

/** One engine's server, as built. */
export interface DatabaseServer {
  readonly target: DatabaseTarget;
  /** Where the migrator signs in, straight, as the master login: the instance, or the cluster's writer endpoint. */
  readonly writerAddress: string;
  /** The cluster's reader endpoint, when it has a reader: the proxy adds a read-only endpoint for it. */
  readonly readerAddress?: string;
  readonly metrics: DatabaseMetrics;
}

interface DatabaseServerOptions {
  readonly network: Network;
  readonly prod: boolean;
  /** Names the server (`<stack>-postgres`, `<stack>-aurora`) and so its fixed-name log group. */
  readonly stackName: string;
}

/** Builds an engine's server (and its parameter group, security group and log group) in `scope`. */
export type BuildDatabaseServer = (scope: Construct, options: DatabaseServerOptions) => DatabaseServer;

/** The cdk-nag findings either engine answers by design rather than by setting. */
export function acknowledgeServerPosture(server: IConstruct, prod: boolean): void {
  if (!prod) {
    Validations.of(server).acknowledge({
      id: 'AwsSolutions-RDS10',
      reason:
        'Non-production deploy (prod=false) must be removable by cdk destroy; prod=true enables deletion protection and snapshot-on-delete.',
    });
  }
  Validations.of(server).acknowledge({
    id: 'AwsSolutions-RDS11',
    reason:
      'A non-default port is obscurity, not control: the database sits in isolated subnets and its security group admits only the proxy, the schema migrator and the rotation function.',
  });
}
