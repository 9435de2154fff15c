import type { SQSRecord } from 'aws-lambda';
import { BenchDatabase } from './bench-database.js';
import { createContext, type BenchContext } from './context.js';
import { pairedServerCpuRatio } from './rate.js';
import { pairedRatio } from './rate.js';
import type { PrecomputedRows } from './rows.js';
import { firstMessages } from './suite.js';
import { ThroughputPhase, type ThroughputResult } from './throughput.js';

/** The batch size both layouts are written at. */
const PARTITIONING_BATCH = 1000;

export interface PartitioningResult {
  batchSize: number;
  /** Messages each run writes: the first half of the main set. */
  messages: number;
  /** Pairs of runs, one of each layout back to back, their order alternating. */
  pairs: number;
  /** Wall time of the whole phase, the second database's creation and migration included. */
  seconds: number;
  /** Partitions of the partitioned user_logins besides the default one. */
  partitions: number;
  partitioned: ThroughputResult;
  unpartitioned: ThroughputResult;
  /** Partitioned ÷ unpartitioned records/s, run by run within each pair, then the median. */
  ratio: number;
  /** The same for server CPU per record; absent when the server's CPU is not readable. */
  serverCpuRatio?: number;
}

/** At least two pairs, one per --runs beyond that: each layout leads once in every two pairs. */
const partitioningPairs = (runs: number): number => Math.max(2, runs);

/**
 * The write on the partitioned user_logins (the bench database) against the
 * same write on an unpartitioned one (a second database on the same server,
 * BenchDatabase.createUnpartitioned), in the same run: the same messages
 * through the handler at batch 1,000 into each, in pairs whose order
 * alternates (P U, U P, …) so load drifting on a shared machine lands on both.
 */
export async function measurePartitioning(ctx: BenchContext, records: readonly SQSRecord[], rows: PrecomputedRows): Promise<PartitioningResult> {
  ctx.progress.update('partitioning: migrating an unpartitioned database to compare with', true);
  const started = performance.now();
  const flat = await BenchDatabase.createUnpartitioned(ctx.db.serverUrl);
  try {
    const subset = firstMessages(records, rows, Math.max(1, Math.ceil(records.length / 2)));
    const flatCtx = createContext(ctx.options, flat, ctx.env, ctx.progress);
    const partitioned = new ThroughputPhase(ctx, subset.records, subset.expected, PARTITIONING_BATCH);
    const unpartitioned = new ThroughputPhase(flatCtx, subset.records, subset.expected, PARTITIONING_BATCH);
    const pairs = partitioningPairs(ctx.options.runs);
    for (let pair = 0; pair < pairs; pair += 1) {
      const order = pair % 2 === 0 ? [partitioned, unpartitioned] : [unpartitioned, partitioned];
      for (const phase of order) {
        ctx.progress.update(`partitioning: ${phase === partitioned ? 'partitioned' : 'unpartitioned'}, pair ${pair + 1}/${pairs}`, true);
        await phase.run(pair);
      }
    }
    const p = partitioned.result();
    const u = unpartitioned.result();
    const serverCpuRatio = pairedServerCpuRatio(p, u);
    return {
      batchSize: PARTITIONING_BATCH,
      messages: subset.records.length,
      pairs,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      partitions: await ctx.db.userLoginPartitions(),
      partitioned: p,
      unpartitioned: u,
      ratio: pairedRatio(p, u),
      ...(serverCpuRatio === undefined ? {} : { serverCpuRatio }),
    };
  } finally {
    await flat.drop().catch((error: unknown) => process.stderr.write(`bench: could not drop ${flat.name}: ${String(error)}\n`));
  }
}
