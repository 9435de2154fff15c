import type { SQSRecord } from 'aws-lambda';
import type { ExpectedRows } from './bench-database.js';
import { toWriteSet } from '../lambda/pipeline/chunk-writer.js';
import { CeilingPhase, expectedOf, type CeilingResult } from './ceiling.js';
import type { BenchContext } from './context.js';
import { FloorPhase, type FloorResult } from './floor.js';
import type { PrecomputedRows } from './rows.js';
import { ThroughputPhase, type ThroughputResult } from './throughput.js';

export interface ThroughputSuite {
  ceiling: CeilingResult;
  loginEtl: ThroughputResult[];
  floor: FloorResult;
}

/** The first `count` messages of the main set and what they leave in the tables. */
export function firstMessages(records: readonly SQSRecord[], rows: PrecomputedRows, count: number): { records: readonly SQSRecord[]; expected: ExpectedRows } {
  const first = records.slice(0, count);
  const set = toWriteSet(rows.prepared.slice(0, first.length), rows.writeSet.dataKey);
  return { records: first, expected: expectedOf(set) };
}

/** The first --floor-messages of the main set, which the floor writes, and what they leave in the tables. */
export function floorMessages(ctx: BenchContext, records: readonly SQSRecord[], rows: PrecomputedRows): { records: readonly SQSRecord[]; expected: ExpectedRows } {
  return firstMessages(records, rows, ctx.options.floorMessages);
}

/**
 * Ceiling, login-etl at every batch size and floor, interleaved run by run
 * (C, 10, 100, 1000, 10000, F; C, 10, …): a burst of load from elsewhere on
 * the machine then slows one run of each rather than all runs of one, and
 * the medians stay comparable.
 */
export async function measureThroughputSuite(
  ctx: BenchContext,
  records: readonly SQSRecord[],
  rows: PrecomputedRows,
  expected: ExpectedRows,
): Promise<ThroughputSuite> {
  const { options } = ctx;
  const ceiling = new CeilingPhase(ctx, rows, expected, records.length);
  const loginEtl = options.batchSizes.map((size) => new ThroughputPhase(ctx, records, expected, size));
  const floorSet = floorMessages(ctx, records, rows);
  const floor = new FloorPhase(ctx, floorSet.records, floorSet.expected);
  const phases = [ceiling, ...loginEtl, floor];
  for (let run = 0; run < options.runs; run += 1) {
    for (const phase of phases) {
      ctx.progress.update(`throughput: ${phase.label}, run ${run + 1}/${options.runs}`, true);
      await phase.run(run);
    }
  }
  return { ceiling: ceiling.result(), loginEtl: loginEtl.map((p) => p.result()), floor: floor.result() };
}
