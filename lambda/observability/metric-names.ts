/**
 * The CloudWatch metric names of the pipeline and of the scheduled
 * maintenance, shared by the functions (which emit them) and the CDK stack
 * (whose alarms and dashboard read them). One source, so a rename cannot
 * silently orphan an alarm.
 */
export const METRIC_NAMESPACE_DEFAULT = 'LoginEtl';
export const SERVICE_NAME_DEFAULT = 'login-etl';

export const MetricName = {
  RecordsReceived: 'RecordsReceived',
  RecordsWritten: 'RecordsWritten',
  RecordsDuplicate: 'RecordsDuplicate',
  RecordsQuarantined: 'RecordsQuarantined',
  RecordsFailed: 'RecordsFailed',
  BatchWriteLatency: 'BatchWriteLatency',
  DbConnectLatency: 'DbConnectLatency',
  ColdStart: 'ColdStart',
  /** One per maintenance run that finished: the alarm on its absence says the schedule stopped. */
  MaintenanceSucceeded: 'MaintenanceSucceeded',
  /** What a maintenance run did (partitions created, detached, dropped; rows moved; bodies shredded). */
  MaintenanceActions: 'MaintenanceActions',
} as const;

export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** Dimension that carries a quarantine reason on RecordsQuarantined. */
export const QUARANTINE_REASON_DIMENSION = 'Reason';
/** Powertools adds this dimension to every metric. */
export const SERVICE_DIMENSION = 'service';
