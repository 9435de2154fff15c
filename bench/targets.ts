import { formatNumber, MiB } from './format.js';
import { pairedRatio } from './rate.js';
import type { MeasuredResults } from './results.js';

export interface TargetResult {
  id: string;
  target: string;
  measured: string;
  /** null when this run did not measure it (e.g. batch size 1000 not among --batch-sizes). */
  pass: boolean | null;
}

const fmt = formatNumber;

/**
 * "Grows with concurrency until the database saturates": the best level beats
 * one process by 5% or more, every level up to the best is no slower than the
 * one before it (within 5%), and no level after it collapses below 80% of it.
 */
export function scalesUntilSaturation(rates: readonly number[]): boolean {
  if (rates.length < 2) return true;
  const best = Math.max(...rates);
  const peak = rates.indexOf(best);
  const first = rates[0] as number;
  const rising = rates.slice(1, peak + 1).every((r, i) => r >= (rates[i] as number) * 0.95);
  const holds = rates.slice(peak + 1).every((r) => r >= best * 0.8);
  return best >= first * 1.05 && rising && holds;
}

export function evaluateTargets(r: MeasuredResults): TargetResult[] {
  const at1000 = r.loginEtl.find((t) => t.batchSize === 1000);
  const ceilingRatio = at1000 ? pairedRatio(at1000, r.ceiling) : undefined;
  const floorRatio = at1000 ? pairedRatio(at1000, r.floor) : undefined;
  const rates = r.concurrency.map((c) => c.recordsPerSecond);
  const overBudget = r.concurrency.filter((c) => c.peakConnections > c.connectionBudget);
  return [
    {
      id: 'ceiling-ratio',
      target: 'login-etl at batch 1,000 ≥ 50% of the ceiling (COPY) records/s',
      measured: ceilingRatio === undefined ? 'batch 1,000 not measured' : `${fmt(ceilingRatio * 100, 1)}%`,
      pass: ceilingRatio === undefined ? null : ceilingRatio >= 0.5,
    },
    {
      id: 'floor-ratio',
      target: 'login-etl at batch 1,000 ≥ 30× the floor (INSERT + commit per message)',
      measured: floorRatio === undefined ? 'batch 1,000 not measured' : `${fmt(floorRatio, 1)}×`,
      pass: floorRatio === undefined ? null : floorRatio >= 30,
    },
    {
      id: 'latency-p99',
      target: `batch of 10: p99 ≤ 10 ms per invocation (${fmt(r.latency.invocations)} invocations)`,
      measured: `${fmt(r.latency.p99Ms, 2)} ms`,
      pass: r.latency.invocations >= 1000 ? r.latency.p99Ms <= 10 : null,
    },
    {
      id: 'bundle-size',
      target: 'production bundle ≤ 1 MiB',
      measured: `${fmt(r.bundle.bytes / 1024)} KiB`,
      pass: r.bundle.bytes <= MiB,
    },
    {
      id: 'init-overhead',
      target: 'cold start: load + first invocation ≤ 150 ms over a bare node',
      measured: `${fmt(r.coldStart.initOverheadMs)} ms`,
      pass: r.coldStart.runs >= 10 ? r.coldStart.initOverheadMs <= 150 : null,
    },
    {
      id: 'peak-rss',
      target: 'peak RSS for a 10,000-record batch ≤ 256 MiB',
      measured: `${fmt(r.memory.maxRssMb)} MiB (${fmt(r.memory.records)} records, ${fmt(r.memory.bodyBytes / MiB, 1)} MiB of bodies)`,
      pass: r.memory.records >= 10_000 ? r.memory.maxRssMb <= 256 : null,
    },
    {
      id: 'concurrency-scaling',
      target: 'throughput grows with concurrency until the database saturates',
      measured: r.concurrency.map((c) => `${c.processes}: ${fmt(c.recordsPerSecond)}/s`).join(', '),
      pass: r.concurrency.length >= 2 ? scalesUntilSaturation(rates) : null,
    },
    {
      id: 'connection-budget',
      target: 'handler connections never exceed processes × DB_POOL_MAX',
      measured: r.concurrency.map((c) => `${c.processes}: ${c.peakConnections}/${c.connectionBudget}`).join(', '),
      pass: r.concurrency.length > 0 ? overBudget.length === 0 : null,
    },
  ];
}
