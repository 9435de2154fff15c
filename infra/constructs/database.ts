import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DB_CONNECT_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS } from '../context.js';
import { PROXY_MAX_CONNECTIONS_PERCENT } from '../connection-budget.js';
import { DATABASE_NAME, PORT, type BuildDatabaseServer, type DatabaseServer, type DatabaseTarget } from './database-server.js';
import { FixedNameLogGroup } from './fixed-name-log-group.js';
import type { Network } from './network.js';

export interface DatabaseProps {
  readonly network: Network;
  readonly prod: boolean;
  /** Fixes the server's identifier and the rotation function's name, so their log groups can exist first. */
  readonly stackName: string;
  /** The PostgreSQL behind the proxy: `instanceServer(...)` or `auroraServer(...)`, as the context says. */
  readonly server: BuildDatabaseServer;
}

/**
 * How long a client's query waits for a database connection when the
 * proxy's pool is exhausted. The pipeline's client gives up on a query after
 * its statement timeout plus a second; a borrow that outlasts that only
 * queues work nobody waits for, so the proxy fails it first, with its own
 * error, well inside the function's timeout.
 */
const PROXY_BORROW_TIMEOUT = Duration.millis(DB_STATEMENT_TIMEOUT_MS);

/**
 * Client connections idle this long are closed by the proxy (default 30
 * minutes). A busy sandbox writes every few seconds and keeps its
 * connection; a frozen sandbox, or an operator's forgotten psql session,
 * releases its proxy connection (and the database connection a pinned
 * session holds) within a quarter hour. The pipeline reconnects on a dead
 * socket, so a closed idle connection costs one new TLS and token handshake.
 */
export const PROXY_IDLE_CLIENT_TIMEOUT = Duration.minutes(15);

/**
 * PostgreSQL (an RDS instance or an Aurora cluster) behind RDS Proxy.
 *
 * Who signs in how:
 * - The pipeline and each named operator: through the proxy, with IAM
 *   tokens end to end (their own login, `rds_iam`, no password anywhere).
 * - The schema migrator: straight to the server (Aurora: its writer) as the
 *   master login, with the generated secret, which only it and the rotation
 *   function may read.
 */
export class Database extends Construct {
  /** The instance or cluster, its endpoints and its metrics. */
  readonly server: DatabaseServer;
  readonly proxy: rds.DatabaseProxy;
  /** With an Aurora reader: the proxy's endpoint for read-only sessions (analysts' queries). */
  readonly readOnlyEndpoint?: rds.IDatabaseProxyEndpoint;
  /** The master login's generated secret; see {@link grantAdmin}. */
  readonly adminSecret: secretsmanager.ISecret;
  /** The role RDS Proxy signs in to PostgreSQL with; {@link grantLogin} adds each login. */
  readonly proxyRole: iam.Role;
  readonly #proxyLogins = new Set<string>();

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { network, prod } = props;

    this.server = props.server(this, { network, prod, stackName: props.stackName });
    const target = this.server.target;
    this.adminSecret = requireSecret(target);
    // The prod server leaves a final snapshot whose master password is in
    // this secret alone: it is kept with the snapshot. (The server's
    // `secret` is the attachment; the secret itself is its child.)
    if (prod) generatedSecret(target).applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.rotateAdminSecret(props);

    this.proxyRole = new iam.Role(this, 'ProxyRole', {
      assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
      description: 'login-etl RDS Proxy: signs in to PostgreSQL with IAM tokens as the registered logins only',
    });
    const proxySg = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc: network.vpc,
      description: 'login-etl RDS Proxy: clients in, database out',
      allowAllOutbound: false,
    });
    this.proxy = this.createProxy(network, proxySg);
    if (this.server.readerAddress !== undefined) {
      // Same security group, same IAM grants (a grant names the proxy, not
      // an endpoint): whoever may sign in may use either endpoint.
      this.readOnlyEndpoint = this.proxy.addEndpoint('ReadOnly', {
        vpc: network.vpc,
        vpcSubnets: network.dataSubnets,
        securityGroups: [proxySg],
        targetRole: rds.ProxyEndpointTargetRole.READ_ONLY,
      });
    }
  }

  /**
   * Lets `client` sign in through the proxy as `login`, and as nothing else:
   * `rds-db:connect` on the proxy for the client, and on the server (an
   * instance's or a cluster's resource id) for the proxy's role (CDK gives
   * the proxy role no database access of its own).
   * The login itself (with `rds_iam`) is created by the migrations.
   */
  grantLogin(client: iam.IGrantable, login: string): void {
    if (!this.#proxyLogins.has(login)) {
      this.server.target.grantConnect(this.proxyRole, login);
      this.#proxyLogins.add(login);
    }
    this.proxy.grantConnect(client, login);
  }

  /** Opens the proxy's port to a client's security group. */
  allowProxyFrom(client: ec2.IConnectable, description: string): void {
    // The proxy's Connections carry no default port, hence the explicit one.
    this.proxy.connections.allowFrom(client, ec2.Port.tcp(PORT), description);
  }

  /** lambda/config.ts settings for a client that signs in through the proxy as `login`. */
  proxyClientEnvironment(login: string): Record<string, string> {
    return {
      ...this.#commonEnvironment(),
      DB_HOST: this.proxy.endpoint,
      DB_USER: login,
      DB_IAM_AUTH: 'true',
    };
  }

  /**
   * The master login, for the schema migrator alone: straight to the
   * server (Aurora: the writer endpoint), because a migration's session settings would pin proxy
   * connections and the proxy must not hold this secret. The function may
   * read the secret and reach the server's port; no other role may read it.
   */
  grantAdmin(fn: lambda.IFunction): void {
    this.adminSecret.grantRead(fn);
    this.server.target.connections.allowDefaultPortFrom(fn, `${fn.node.id}: the master login`);
  }

  /** lambda/config.ts settings for {@link grantAdmin}'s function. */
  adminClientEnvironment(): Record<string, string> {
    return {
      ...this.#commonEnvironment(),
      DB_SECRET_ARN: this.adminSecret.secretArn,
      DB_HOST: this.server.writerAddress,
      DB_IAM_AUTH: 'false',
    };
  }

  #commonEnvironment(): Record<string, string> {
    return {
      DB_PORT: String(PORT),
      DB_NAME: DATABASE_NAME,
      DB_SSL: 'verify-full',
      DB_CONNECT_TIMEOUT_MS: String(DB_CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(DB_STATEMENT_TIMEOUT_MS),
      // One connection per sandbox: an invocation writes one batch at a time,
      // so concurrency (capped by the event source mapping) = connections.
      DB_POOL_MAX: '1',
    };
  }

  private rotateAdminSecret(props: DatabaseProps): void {
    const { network, prod } = props;
    // Single-user rotation every 30 days by a Secrets Manager hosted function
    // in the VPC: it needs the database and the Secrets Manager endpoint.
    const rotationSg = new ec2.SecurityGroup(this, 'RotationSecurityGroup', {
      vpc: network.vpc,
      description: 'login-etl secret rotation: database and Secrets Manager only',
      allowAllOutbound: false,
    });
    this.server.target.connections.allowDefaultPortFrom(rotationSg, 'secret rotation');
    network.secretsManagerEndpoint.connections.allowDefaultPortFrom(rotationSg, 'secret rotation');
    // Named, so its log group can be made first with a retention.
    const functionName = `${props.stackName}-rotation`;
    const logs = new FixedNameLogGroup(this, 'RotationLogs', { logGroupName: `/aws/lambda/${functionName}`, prod });
    const rotation = this.adminSecret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        functionName,
        vpc: network.vpc,
        vpcSubnets: network.appSubnets,
        securityGroups: [rotationSg],
      }),
      automaticallyAfter: Duration.days(30),
      // The first rotation waits for the schedule instead of racing the
      // migration trigger at create time; docs/deploy.md shows how to test it.
      rotateImmediatelyOnUpdate: false,
    });
    rotation.node.addDependency(network.secretsManagerEndpoint, logs.ready);
  }

  private createProxy(network: Network, proxySg: ec2.SecurityGroup): rds.DatabaseProxy {
    const proxy = this.server.target.addProxy('Proxy', {
      vpc: network.vpc,
      vpcSubnets: network.dataSubnets,
      securityGroups: [proxySg],
      // End-to-end IAM authentication: clients sign in to the proxy with IAM
      // tokens and the proxy signs in to PostgreSQL with its role's tokens,
      // as the same login. Chosen over a Secrets Manager secret per login:
      // no password exists to rotate, leak or stage; each login's access is
      // an rds-db:connect grant in the template (client → proxy, proxy role
      // → server); a named operator gets a personal login the same way.
      // No secrets at all, so the proxy can never sign in as the master user.
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      role: this.proxyRole,
      requireTLS: true,
      // The rest of max_connections is for the migrator, the rotation
      // function and the server's reserved slots (infra/connection-budget.ts).
      maxConnectionsPercent: PROXY_MAX_CONNECTIONS_PERCENT,
      borrowTimeout: PROXY_BORROW_TIMEOUT,
      idleClientTimeout: PROXY_IDLE_CLIENT_TIMEOUT,
      // Debug logging would write SQL text to CloudWatch.
      debugLogging: false,
    });
    // The proxy's database sign-ins need the role's policy, a separate resource.
    proxy.node.addDependency(this.proxyRole);
    return proxy;
  }
}

function generatedSecret(target: DatabaseTarget): rds.DatabaseSecret {
  const secret = target.node.tryFindChild('Secret');
  if (!(secret instanceof rds.DatabaseSecret)) throw new Error('the database server has no generated secret');
  return secret;
}

function requireSecret(target: DatabaseTarget): secretsmanager.ISecret {
  // Always set with Credentials.fromGeneratedSecret; the type just cannot say so.
  if (!target.secret) throw new Error('the database server has no generated secret');
  return target.secret;
}
