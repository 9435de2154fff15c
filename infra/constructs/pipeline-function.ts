import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PIPELINE_LOGIN } from '../../lambda/db/login-names.js';
import { METRIC_NAMESPACE_DEFAULT } from '../../lambda/observability/metric-names.js';
import type { LoginEtlSettings } from '../context.js';
import { lambdaEntry } from '../paths.js';
import type { Database } from './database.js';
import type { Network } from './network.js';
import { VpcNodeFunction } from './vpc-node-function.js';

export interface PipelineFunctionProps {
  readonly network: Network;
  readonly database: Database;
  /** The keyring's ARN and the vault key's; PiiKeys.admit grants their use. */
  readonly maskingSecretArn: string;
  readonly vaultKeyArn: string;
  readonly queue: sqs.IQueue;
  readonly settings: LoginEtlSettings;
}

/**
 * The pipeline: `lambda/handler.ts` fed by the login queue, writing through
 * the proxy as its own login (`login_etl_pipeline`, a member of
 * login_etl_writer only) with IAM tokens. Its role may sign in as that login,
 * consume the queue and, once PiiKeys.admit has run, read the masking keyring
 * and create vault data keys; nothing more, and nothing of the master login.
 */
export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;
  /** The execution role: the keys and the proxy admit it by ARN. */
  readonly role: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  readonly mapping: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const { network, database, settings } = props;

    const vpcFunction = new VpcNodeFunction(this, 'Handler', {
      network,
      entry: lambdaEntry('handler.ts'),
      description: 'login-etl pipeline: SQS login events to Postgres, PII masked',
      // 512 MB by default: Lambda's CPU share grows with memory, and the work
      // per batch is JSON parsing, HMAC and one bulk insert, mostly waiting on
      // the database (docs/performance.md, "Sizing the function").
      // `-c memorySize=` tunes it.
      memorySize: settings.memorySize,
      timeout: Duration.seconds(settings.timeoutSeconds),
      prod: settings.prod,
      sourceMaps: settings.sourceMaps,
      tracing: settings.tracing,
      environment: {
        ...database.proxyClientEnvironment(PIPELINE_LOGIN),
        MASKING_SECRET_ARN: props.maskingSecretArn,
        VAULT_KMS_KEY_ID: props.vaultKeyArn,
        // Throwing on a batch that failed entirely makes Lambda back off its
        // pollers while the database is down (see lambda/login-etl.ts).
        THROW_ON_FULL_BATCH_FAILURE: 'true',
        POWERTOOLS_SERVICE_NAME: settings.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE_DEFAULT,
        POWERTOOLS_LOG_LEVEL: settings.logLevel,
        // Powertools Tracer's subsegments; the function's active tracing
        // (and its X-Ray permissions) follow the same setting.
        TRACING_ENABLED: String(settings.tracing),
      },
    });
    this.fn = vpcFunction.fn;
    this.role = vpcFunction.role;
    this.logGroup = vpcFunction.logGroup;

    database.allowProxyFrom(this.fn, 'pipeline');
    database.grantLogin(this.fn, PIPELINE_LOGIN);
    network.secretsManagerEndpoint.connections.allowDefaultPortFrom(this.fn, 'pipeline keyring read');
    network.kmsEndpoint.connections.allowDefaultPortFrom(this.fn, 'pipeline data keys');
    props.queue.grantConsumeMessages(this.fn);

    this.mapping = this.fn.addEventSourceMapping('FromLoginQueue', {
      eventSourceArn: props.queue.queueArn,
      // Without it, returning failures as a "success" would delete them.
      reportBatchItemFailures: true,
      batchSize: settings.batchSize,
      ...(settings.maxBatchingWindowSeconds > 0
        ? { maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds) }
        : {}),
      // One connection per sandbox (DB_POOL_MAX=1), so capping concurrent
      // invocations caps proxy connections. maxConcurrency rather than
      // reserved concurrency: at the cap Lambda stops reading the queue
      // instead of invoking into throttles that count receives toward the
      // DLQ, and it needs no unreserved-concurrency headroom in a new account.
      maxConcurrency: settings.dbConnectionBudget,
    });
    // The first batch should find its network paths open: the security-group
    // rules to the endpoints are resources the function does not wait for.
    this.mapping.node.addDependency(vpcFunction.securityGroup, network.secretsManagerEndpoint, network.kmsEndpoint);
  }
}
