import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { lambdaEntry } from '../paths.js';
import type { Database } from './database.js';
import type { Network } from './network.js';
import { VpcNodeFunction } from './vpc-node-function.js';

export interface SchemaMigrationProps {
  readonly network: Network;
  readonly database: Database;
  /** What must wait for the schema: the pipeline function and its event source mapping. */
  readonly before: Construct[];
  readonly prod: boolean;
  readonly sourceMaps: boolean;
  /** Short names whose operator logins the migrations create or refresh. */
  readonly operators: readonly string[];
}

const MIGRATION_TIMEOUT = Duration.minutes(5);

/**
 * Runs `lambda/migrate-handler.ts` (the pipeline's own, idempotent
 * migrations) during every deploy that changes it, after the database and
 * proxy exist and before the pipeline function and its queue mapping are
 * created or updated. A failed migration fails the deploy and rolls it back,
 * so new code never meets an old schema.
 *
 * The migrator is the only user of the master login (Database.grantAdmin).
 * It also creates the pipeline's login and each named operator's (with
 * rds_iam); the operator list is in its environment, so changing the list
 * changes the function and reruns it.
 */
export class SchemaMigration extends Construct {
  readonly fn: lambda.IFunction;
  readonly trigger: triggers.Trigger;
  readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: SchemaMigrationProps) {
    super(scope, id);
    const { database } = props;

    // Only the database settings: migrations need neither the masking
    // keyring nor the vault key, so this role gets neither.
    const migrator = new VpcNodeFunction(this, 'Migrator', {
      network: props.network,
      entry: lambdaEntry('migrate-handler.ts'),
      description: 'login-etl schema migrations (CDK trigger)',
      memorySize: 256,
      timeout: MIGRATION_TIMEOUT,
      prod: props.prod,
      sourceMaps: props.sourceMaps,
      environment: {
        ...database.adminClientEnvironment(),
        // DDL on a grown table (an index build) outlasts the pipeline's
        // 10 s statement limit; leave a minute of the timeout for the rest.
        DB_STATEMENT_TIMEOUT_MS: String(MIGRATION_TIMEOUT.toMilliseconds() - 60_000),
        OPERATOR_LOGINS: props.operators.join(','),
        POWERTOOLS_SERVICE_NAME: 'login-etl-migrate',
      },
    });
    database.grantAdmin(migrator.fn);
    props.network.secretsManagerEndpoint.connections.allowDefaultPortFrom(migrator.fn, 'migrator: master secret');
    this.fn = migrator.fn;
    this.logGroup = migrator.logGroup;

    this.trigger = new triggers.Trigger(this, 'Run', {
      handler: migrator.fn,
      timeout: MIGRATION_TIMEOUT,
      // New migrations ship in the function's code, so a code change reruns them.
      executeOnHandlerChange: true,
      // `migrator` and the endpoint too: its security-group rules and IAM
      // policy are separate resources the function itself does not wait for.
      executeAfter: [database, migrator, props.network.secretsManagerEndpoint],
      executeBefore: props.before,
    });
  }
}
