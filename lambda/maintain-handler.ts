import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DatabaseError } from 'pg';
import { maintenanceSettingsFromEnv, type MaintenanceSettings } from '../shared/maintenance-settings.js';
import { ConfigError, loadDatabaseConfig, type Config } from './config.js';
import { runMaintenance, type MaintenanceAction } from './db/maintenance.js';
import { describeError } from './errors.js';
import { createLogger } from './observability/logger.js';
import { MetricName } from './observability/metric-names.js';
import { createDatabase } from './resources.js';

/**
 * The daily maintenance (an EventBridge schedule, and once at every deploy
 * that changes it): one call of the database's login_etl_maintain_v1 as
 * login_etl_maintenance, which creates the coming months' partitions, moves
 * what the default partition caught, drops partitions past the retention
 * and shreds old quarantined bodies. Each action is logged (partition names
 * and counts, never a value of a row); a failure throws, so the function's
 * Errors metric and its alarm count it.
 */
export interface MaintenanceConfig extends Pick<Config, 'database' | 'region' | 'serviceName' | 'metricsNamespace'> {
  maintenance: MaintenanceSettings;
}

/** A run that did not finish; its message names the database's SQLSTATE, never a row. */
export class MaintenanceFailedError extends Error {
  override readonly name = 'MaintenanceFailedError';
}

/** The database settings and the maintenance's own, validated at cold start; a bad one names its variable. */
export function loadMaintenanceConfig(source: NodeJS.ProcessEnv = process.env): MaintenanceConfig {
  const maintenance = maintenanceSettingsFromEnv(
    source,
    (variable, value, expected) => new ConfigError(variable, `is ${JSON.stringify(value)}: ${expected}`),
  );
  return { ...loadDatabaseConfig(source), maintenance };
}

export function createMaintenanceHandler(config: MaintenanceConfig, logger: Logger, metrics: Metrics): () => Promise<MaintenanceAction[]> {
  const settings = config.maintenance;
  return async () => {
    const database = await createDatabase(config).catch((error: unknown) => fail(logger, error));
    try {
      const { value: actions } = await database.run((client) => runMaintenance(client, settings, true));
      for (const { action, target, detail } of actions) logger.info('maintenance action', { action, target, detail });
      metrics.addMetric(MetricName.MaintenanceActions, MetricUnit.Count, actions.length);
      metrics.addMetric(MetricName.MaintenanceSucceeded, MetricUnit.Count, 1);
      logger.info('maintenance done', { actions: actions.length, ...settings });
      return actions;
    } catch (error) {
      return fail(logger, error);
    } finally {
      metrics.publishStoredMetrics();
      await database.close();
    }
  };
}

/** Logs the failure's type, message and SQLSTATE (not the server's detail, which can quote a row) and throws. */
function fail(logger: Logger, error: unknown): never {
  const described = describeError(error);
  logger.error('maintenance failed', { error: described });
  // The server's answers carry a SQLSTATE; a socket's failures carry Node's code (ECONNREFUSED).
  const code = described.code === undefined ? '' : ` (${error instanceof DatabaseError ? 'SQLSTATE ' : ''}${described.code})`;
  throw new MaintenanceFailedError(`maintenance failed: ${described.message}${code}`);
}

const config = loadMaintenanceConfig();
export const handler = createMaintenanceHandler(
  config,
  createLogger(config.serviceName),
  new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
);
