import { median } from './stats.js';

/** One timed pass over a message set. */
export interface RateRun {
  ms: number;
  recordsPerSecond: number;
  /** CPU microseconds per record in this (client) process, when measured. */
  clientCpuUsPerRecord?: number;
  /** CPU microseconds per record in the server backend, when the server is on this host. */
  serverCpuUsPerRecord?: number;
}

/** Medians over runs; a CPU figure only when every run has it. */
export interface RateSummary {
  records: number;
  runs: RateRun[];
  recordsPerSecond: number;
  clientCpuUsPerRecord?: number;
  serverCpuUsPerRecord?: number;
}

function medianOf(runs: readonly RateRun[], key: 'clientCpuUsPerRecord' | 'serverCpuUsPerRecord'): { [k: string]: number } {
  const values = runs.map((r) => r[key]).filter((v): v is number => v !== undefined);
  return values.length === runs.length && values.length > 0 ? { [key]: median(values) } : {};
}

export function summarize(records: number, runs: readonly RateRun[]): RateSummary {
  return {
    records,
    runs: [...runs],
    recordsPerSecond: median(runs.map((r) => r.recordsPerSecond)),
    ...medianOf(runs, 'clientCpuUsPerRecord'),
    ...medianOf(runs, 'serverCpuUsPerRecord'),
  };
}

/**
 * A phase measured over several runs. The suite interleaves phases run by
 * run (ceiling, each batch size, floor; then again), so that load drifting
 * on a shared machine lands on all of them alike and their ratios stay fair.
 */
export interface RatePhase<R extends RateSummary> {
  readonly label: string;
  run(index: number): Promise<void>;
  result(): R;
}

/**
 * a ÷ b, run by run (run i of both phases ran back to back in the suite),
 * then the median: a load burst that slows one pair slows both sides of it,
 * so the ratio holds steadier than a ratio of medians.
 */
export function pairedRatio(a: RateSummary, b: RateSummary): number {
  const n = Math.min(a.runs.length, b.runs.length);
  if (n === 0) return a.recordsPerSecond / b.recordsPerSecond;
  return median(a.runs.slice(0, n).map((run, i) => run.recordsPerSecond / (b.runs[i] as RateRun).recordsPerSecond));
}

/**
 * a's server CPU per record ÷ b's, run by run (run i of both ran back to
 * back), then the median; undefined unless every paired run has both.
 */
export function pairedServerCpuRatio(a: RateSummary, b: RateSummary): number | undefined {
  const n = Math.min(a.runs.length, b.runs.length);
  const ratios = a.runs.slice(0, n).map((run, i) => {
    const other = (b.runs[i] as RateRun).serverCpuUsPerRecord;
    return run.serverCpuUsPerRecord === undefined || other === undefined ? undefined : run.serverCpuUsPerRecord / other;
  });
  return n > 0 && ratios.every((r) => r !== undefined) ? median(ratios as number[]) : undefined;
}
