import { Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LoginEtlSettings } from './context.js';
import { auroraServer } from './constructs/aurora-cluster.js';
import { Database } from './constructs/database.js';
import { instanceServer } from './constructs/database-instance.js';
import type { BuildDatabaseServer } from './constructs/database-server.js';
import { IngestQueue } from './constructs/ingest-queue.js';
import { MaintenanceSchedule } from './constructs/maintenance-schedule.js';
import { Monitoring } from './constructs/monitoring.js';
import { Network } from './constructs/network.js';
import { OperatorAccess } from './constructs/operator-access.js';
import { PiiKeys } from './constructs/pii-keys.js';
import { PipelineFunction } from './constructs/pipeline-function.js';
import { giveProvidersLogGroups } from './constructs/provider-logs.js';
import { SchemaMigration } from './constructs/schema-migration.js';
import { addStackOutputs } from './stack-outputs.js';

export interface LoginEtlStackProps extends StackProps {
  readonly settings: LoginEtlSettings;
}

/**
 * login-etl: SQS queue → Lambda (in an egress-less VPC) → RDS Proxy →
 * PostgreSQL (RDS, or Aurora with `-c database=aurora`), with the masking keyring and vault KEK only the pipeline and
 * the named operators can use, migrations run before the function takes
 * traffic, a daily maintenance run (partitions ahead, retention), alarms
 * and a dashboard. Environment-agnostic: it deploys to the
 * CLI's account/region.
 */
export class LoginEtlStack extends Stack {
  readonly network: Network;
  readonly pipeline: PipelineFunction;
  readonly ingest: IngestQueue;
  readonly database: Database;
  readonly keys: PiiKeys;
  readonly operators: OperatorAccess;
  readonly schema: SchemaMigration;
  readonly maintenance: MaintenanceSchedule;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: LoginEtlStackProps) {
    super(scope, id, { terminationProtection: props.settings.prod, ...props });
    const { settings } = props;
    const { prod, operators } = settings;
    const stackName = this.stackName;
    Tags.of(this).add('project', 'login-etl');

    const network = (this.network = new Network(this, 'Network', { prod }));
    const database = (this.database = new Database(this, 'Database', { network, prod, stackName, server: databaseServer(settings) }));
    const keys = (this.keys = new PiiKeys(this, 'PiiKeys', { prod, stackName }));
    const ingest = (this.ingest = new IngestQueue(this, 'Ingest', {
      fifo: settings.fifo,
      maxReceiveCount: settings.maxReceiveCount,
      consumerTimeout: Duration.seconds(settings.timeoutSeconds),
      batchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
      prod,
    }));
    const pipeline = (this.pipeline = new PipelineFunction(this, 'Pipeline', {
      network,
      database,
      maskingSecretArn: keys.maskingSecret.secretArn,
      vaultKeyArn: keys.vaultKey.keyArn,
      queue: ingest.queue,
      settings,
    }));
    this.operators = new OperatorAccess(this, 'Operators', { names: operators, requireMfa: settings.operatorMfa, network, database });
    keys.admit({ pipeline: pipeline.role, operators: this.operators.operators.map((o) => o.role) });
    const before = [pipeline.fn, pipeline.mapping];
    this.schema = new SchemaMigration(this, 'Schema', { network, database, before, prod, sourceMaps: settings.sourceMaps, operators });
    this.maintenance = new MaintenanceSchedule(this, 'Maintenance', { network, database, settings, after: [this.schema.trigger] });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      queue: ingest.queue,
      deadLetterQueue: ingest.deadLetterQueue,
      fn: pipeline.fn,
      maintenanceFn: this.maintenance.fn,
      database: database.server.metrics,
      proxy: database.proxy,
      settings,
      name: stackName,
    });
    giveProvidersLogGroups(this, prod);
    addStackOutputs(this);
  }
}

/** The engine the context asks for. */
function databaseServer(settings: LoginEtlSettings): BuildDatabaseServer {
  if (settings.database === 'aurora') {
    return auroraServer({
      minCapacity: settings.auroraMinCapacity,
      maxCapacity: settings.auroraMaxCapacity,
      reader: settings.auroraReader,
    });
  }
  return instanceServer(settings.dbInstanceType);
}
