import type { StatusCounts } from '../../lambda/observability/pipeline-metrics.js';

/** "100 received: 99 written, 0 duplicate, 1 quarantined (schema_violation: 1), 0 failed" */
export function formatCounts(received: number, counts: StatusCounts, reasons?: Map<string, number>): string {
  const why = reasons && reasons.size > 0 ? ` (${[...reasons].map(([r, n]) => `${r}: ${n}`).join(', ')})` : '';
  return (
    `${received} received: ${counts.written} written, ${counts.duplicate} duplicate, ` +
    `${counts.quarantined} quarantined${why}, ${counts.failed} failed`
  );
}

export function addCounts(into: StatusCounts, add: StatusCounts): StatusCounts {
  for (const key of Object.keys(into) as (keyof StatusCounts)[]) into[key] += add[key];
  return into;
}

export const zeroCounts = (): StatusCounts => ({ written: 0, duplicate: 0, quarantined: 0, failed: 0 });
