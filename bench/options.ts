import path from 'node:path';
import { BATCH_SIZE } from '../shared/sqs-event-source.js';
import type { CommandOptions } from '../tools/lib/command-line.js';
import type { bench } from '../tools/lib/commands/bench.js';
import { repoRoot } from '../tools/lib/paths.js';

export interface BenchOptions {
  messages: number;
  batchSizes: number[];
  runs: number;
  seed: number;
  floorMessages: number;
  latencyInvocations: number;
  coldRuns: number;
  memoryRecords: number;
  concurrency: number[];
  concurrencyBatch: number;
  /** Round trip of the network hop in ms (half each way); 0: no hop measured. */
  rttMs: number;
  /** Whether the partitioned user_logins is measured against an unpartitioned one. */
  partitioning: boolean;
  outDir: string;
  /** The node that runs the production bundle's processes (cold start, memory, concurrency). */
  childNode: string;
  check: boolean;
  logs: boolean;
}

/** The bench's settings from its validated options (tools/lib/commands/bench.ts), sizes capped where a batch has a limit. */
export function benchOptions(flags: CommandOptions<typeof bench>): BenchOptions {
  return {
    messages: flags.messages,
    batchSizes: flags['batch-sizes'],
    runs: flags.runs,
    seed: flags.seed,
    floorMessages: Math.min(flags.messages, flags['floor-messages']),
    latencyInvocations: flags['latency-invocations'],
    coldRuns: flags['cold-runs'],
    memoryRecords: Math.min(BATCH_SIZE.max, flags['memory-records']),
    concurrency: flags.concurrency,
    concurrencyBatch: Math.min(BATCH_SIZE.max, flags['concurrency-batch']),
    rttMs: flags['rtt-ms'],
    partitioning: !flags['skip-partitioning'],
    outDir: path.resolve(flags.out ?? path.join(repoRoot, 'bench', 'results')),
    childNode: flags.node === undefined ? process.execPath : path.resolve(flags.node),
    check: flags.check,
    logs: flags.logs,
  };
}
