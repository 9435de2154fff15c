import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { MAINTENANCE_LOGIN } from '../../lambda/db/login-names.js';
import { METRIC_NAMESPACE_DEFAULT } from '../../lambda/observability/metric-names.js';
import { MAINTENANCE_ENV } from '../../shared/maintenance-settings.js';
import type { LoginEtlSettings } from '../context.js';
import { lambdaEntry } from '../paths.js';
import type { Database } from './database.js';
import type { Network } from './network.js';
import { VpcNodeFunction } from './vpc-node-function.js';

export interface MaintenanceScheduleProps {
  readonly network: Network;
  readonly database: Database;
  readonly settings: LoginEtlSettings;
  /** The schema migration's trigger: the first run waits for the maintenance function and login it creates. */
  readonly after: Construct[];
}

/** Daily, at a quiet minute of the night (UTC), away from the top of the hour. */
const MAINTENANCE_SCHEDULE = events.Schedule.cron({ minute: '17', hour: '3' });

const MAINTENANCE_TIMEOUT = Duration.minutes(5);

/**
 * Runs `lambda/maintain-handler.ts` every day, and once at every deploy that
 * changes it (after the migration): partitions for the coming months, rows
 * the default partition caught moved to their month, partitions older than
 * the retention dropped, quarantined bodies shredded. It signs in through
 * the proxy as its own login (`login_etl_maintenance`, IAM token), never as
 * the master login, and holds neither the keyring nor the vault key.
 *
 * Reserved concurrency 1: a retried event never runs beside the day's run.
 * A missed day costs nothing (partitions exist months ahead); alarm
 * `MaintenanceMissing` says when runs stop succeeding.
 */
export class MaintenanceSchedule extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: MaintenanceScheduleProps) {
    super(scope, id);
    const { network, database, settings } = props;

    const vpcFunction = new VpcNodeFunction(this, 'Handler', {
      network,
      entry: lambdaEntry('maintain-handler.ts'),
      description: 'login-etl maintenance: monthly partitions ahead, retention, quarantine shredding (daily)',
      memorySize: 256,
      timeout: MAINTENANCE_TIMEOUT,
      prod: settings.prod,
      sourceMaps: settings.sourceMaps,
      reservedConcurrentExecutions: 1,
      environment: {
        ...database.proxyClientEnvironment(MAINTENANCE_LOGIN),
        // Moving rows out of the default partition and dropping a month
        // outlast the pipeline's 10 s limit; leave a minute of the timeout.
        DB_STATEMENT_TIMEOUT_MS: String(MAINTENANCE_TIMEOUT.toMilliseconds() - 60_000),
        [MAINTENANCE_ENV.retentionMonths]: String(settings.retentionMonths),
        [MAINTENANCE_ENV.monthsAhead]: String(settings.partitionMonthsAhead),
        [MAINTENANCE_ENV.quarantineBodyDays]: String(settings.quarantineBodyDays),
        // The pipeline's service dimension: the alarms read both at that level.
        POWERTOOLS_SERVICE_NAME: settings.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE_DEFAULT,
        POWERTOOLS_LOG_LEVEL: settings.logLevel,
      },
    });
    this.fn = vpcFunction.fn;
    this.role = vpcFunction.role;
    this.logGroup = vpcFunction.logGroup;
    database.allowProxyFrom(this.fn, 'maintenance');
    database.grantLogin(this.fn, MAINTENANCE_LOGIN);
    // A failed run is retried twice by Lambda (each failure counts in Errors); the next day's run is the next try.
    this.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });

    this.rule = new events.Rule(this, 'Daily', {
      description: 'login-etl maintenance, daily',
      schedule: MAINTENANCE_SCHEDULE,
      // Delivery retries (a throttle while a retried run still holds the one slot), then the event is dropped.
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });

    Validations.of(this.fn).acknowledge({
      id: 'Annotation::@aws-cdk/aws-lambda:addPermissionsToVersionOrAlias',
      reason:
        'EventBridge invokes the unqualified function, which the permission names; the deploy-time trigger invokes a version through its own IAM policy, not a resource-based permission.',
    });

    // The first run comes with the deploy, so the months ahead exist and
    // alarm MaintenanceMissing has a success to count from day one.
    new triggers.Trigger(this, 'RunAtDeploy', {
      handler: this.fn,
      timeout: MAINTENANCE_TIMEOUT,
      executeOnHandlerChange: true,
      executeAfter: [vpcFunction, database, ...props.after],
    });
  }
}
