import { RemovalPolicy } from 'aws-cdk-lib';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import type { AuroraCapacity } from '../aurora-capacity.js';
import { auroraMetrics } from './aurora-metrics.js';
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
import type { Network } from './network.js';

export interface AuroraServerOptions extends AuroraCapacity {
  /** A second Serverless v2 instance, in the other AZ: the failover target and the reader endpoint. */
  readonly reader: boolean;
}

/**
 * `-c database=aurora`: an Aurora PostgreSQL cluster named `<stack>-aurora`
 * with a Serverless v2 writer (and, with `reader`, a Serverless v2 reader),
 * in the same data subnets, behind the same proxy, with the same logins and
 * the same parameter intent as the RDS instance.
 */
export function auroraServer(options: AuroraServerOptions): BuildDatabaseServer {
  return (scope, { network, prod, stackName }) => {
    const clusterIdentifier = `${stackName.toLowerCase()}-aurora`;
    // Aurora creates this log group on first export with no expiry, so it
    // must exist, with its retention, before the cluster.
    const postgresLogs = new FixedNameLogGroup(scope, 'PostgresLogs', {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      prod,
    });
    const cluster = createCluster(scope, { ...options, network, prod, clusterIdentifier });
    cluster.node.defaultChild?.node.addDependency(postgresLogs.ready);
    return {
      target: cluster,
      writerAddress: cluster.clusterEndpoint.hostname,
      ...(options.reader ? { readerAddress: cluster.clusterReadEndpoint.hostname } : {}),
      metrics: auroraMetrics(cluster, options),
    };
  };
}

interface ClusterOptions extends AuroraServerOptions {
  readonly network: Network;
  readonly prod: boolean;
  readonly clusterIdentifier: string;
}

function createCluster(scope: Construct, props: ClusterOptions): rds.DatabaseCluster {
  const { network, prod } = props;
  // 17, as on the instance (see database-instance.ts for why not 18).
  // Aurora takes a full version; autoMinorVersionUpgrade moves it on.
  const engine = rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 });
  const securityGroup = serverSecurityGroup(scope, 'ClusterSecurityGroup', network);
  // Each instance in its own AZ, fixed: adding the reader later must not
  // move (replace) the writer.
  const [writerAz, readerAz] = network.vpc.availabilityZones;
  const instance = { publiclyAccessible: false, autoMinorVersionUpgrade: true, caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1 };
  const cluster = new rds.DatabaseCluster(scope, 'Cluster', {
    engine,
    clusterIdentifier: props.clusterIdentifier,
    writer: rds.ClusterInstance.serverlessV2('Writer', { ...instance, availabilityZone: writerAz }),
    // Promotion tier 1 (scaleWithWriter): never smaller than the writer, so
    // a failover lands on an instance that can take the load at once; it
    // grows further on its own for analysts' queries.
    readers: props.reader ? [rds.ClusterInstance.serverlessV2('Reader', { ...instance, availabilityZone: readerAz, scaleWithWriter: true })] : [],
    serverlessV2MinCapacity: props.minCapacity,
    serverlessV2MaxCapacity: props.maxCapacity,
    vpc: network.vpc,
    vpcSubnets: network.dataSubnets,
    securityGroups: [securityGroup],
    port: PORT,
    credentials: rds.Credentials.fromGeneratedSecret(ADMIN_USER),
    defaultDatabaseName: DATABASE_NAME,
    parameterGroup: postgresParameterGroup(scope, engine),
    storageEncrypted: true,
    // As on the instance: the proxy signs in with IAM tokens as logins
    // holding rds_iam; the master login keeps its rotated password.
    iamAuthentication: true,
    backup: { retention: backupRetention(prod) },
    deleteAutomatedBackups: !prod,
    copyTagsToSnapshot: true,
    cloudwatchLogsExports: ['postgresql'],
    deletionProtection: prod,
    removalPolicy: prod ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
  });
  acknowledgeServerPosture(cluster, prod);
  return cluster;
}
