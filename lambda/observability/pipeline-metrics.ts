import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BatchReport } from '../pipeline/process-batch.js';
import type { RecordStatus } from '../pipeline/types.js';
import { MetricName, QUARANTINE_REASON_DIMENSION } from './metric-names.js';

export type StatusCounts = Record<RecordStatus, number>;

/** Counts per outcome, over the event's records (a copy delivered twice counts twice). */
export function countOutcomes(report: BatchReport, messageIds: readonly string[]): StatusCounts {
  const counts: StatusCounts = { written: 0, duplicate: 0, quarantined: 0, failed: 0 };
  for (const id of messageIds) {
    const status = report.outcomes.get(id)?.status ?? 'failed';
    counts[status] += 1;
  }
  return counts;
}

export function quarantineReasons(report: BatchReport): Map<string, number> {
  const reasons = new Map<string, number>();
  for (const outcome of report.outcomes.values()) {
    if (outcome.status === 'quarantined') reasons.set(outcome.reason, (reasons.get(outcome.reason) ?? 0) + 1);
  }
  return reasons;
}

/** The pipeline's EMF metrics, flushed once per invocation. */
export class PipelineMetrics {
  readonly metrics: Metrics;

  constructor(namespace: string, serviceName: string) {
    this.metrics = new Metrics({ namespace, serviceName });
  }

  coldStart(): void {
    this.metrics.captureColdStartMetric();
  }

  record(report: BatchReport, received: number, counts: StatusCounts): void {
    const m = this.metrics;
    m.addMetric(MetricName.RecordsReceived, MetricUnit.Count, received);
    m.addMetric(MetricName.RecordsWritten, MetricUnit.Count, counts.written);
    m.addMetric(MetricName.RecordsDuplicate, MetricUnit.Count, counts.duplicate);
    m.addMetric(MetricName.RecordsQuarantined, MetricUnit.Count, counts.quarantined);
    m.addMetric(MetricName.RecordsFailed, MetricUnit.Count, counts.failed);
    if (report.statements > 0) m.addMetric(MetricName.BatchWriteLatency, MetricUnit.Milliseconds, report.writeMs);
    if (report.connectMs !== undefined) {
      m.addMetric(MetricName.DbConnectLatency, MetricUnit.Milliseconds, report.connectMs);
    }
    // Reasons are a closed set (QuarantineReason), so the dimension stays bounded.
    for (const [reason, count] of quarantineReasons(report)) {
      const single = m.singleMetric();
      single.addDimension(QUARANTINE_REASON_DIMENSION, reason);
      single.addMetric(MetricName.RecordsQuarantined, MetricUnit.Count, count);
    }
  }

  flush(): void {
    this.metrics.publishStoredMetrics();
  }
}
