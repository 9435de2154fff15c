import path from 'node:path';
import { z } from 'zod';
import { BATCH_SIZE } from '../shared/sqs-event-source.js';
import { parseValues, wholeNumber, wholeNumbers } from '../shared/values.js';
import { parseCliArgs, UsageError } from '../tools/lib/cli.js';
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
  outDir: string;
  /** The node that runs the production bundle's processes (cold start, memory, concurrency). */
  childNode: string;
  check: boolean;
  logs: boolean;
}

const USAGE =
  'usage: npm run bench -- [--messages N] [--batch-sizes 10,100,1000,10000] [--runs R] [--seed S]\n' +
  '  [--floor-messages N] [--latency-invocations N] [--cold-runs N] [--memory-records N]\n' +
  '  [--concurrency 1,2,4,8] [--concurrency-batch N] [--node PATH] [--out DIR] [--check] [--logs]';

/** The numeric flags and their defaults. */
const numericFlags = z.object({
  messages: wholeNumber(1).default(40_000),
  'batch-sizes': wholeNumbers(BATCH_SIZE.min, BATCH_SIZE.max).default([10, 100, 1000, 10_000]),
  runs: wholeNumber(1).default(3),
  seed: wholeNumber(0).default(8),
  'floor-messages': wholeNumber(1).default(2_000),
  'latency-invocations': wholeNumber(1).default(2_000),
  'cold-runs': wholeNumber(1).default(10),
  'memory-records': wholeNumber(1).default(10_000),
  concurrency: wholeNumbers(1, 1_000).default([1, 2, 4, 8]),
  'concurrency-batch': wholeNumber(1).default(1_000),
});

export function parseOptions(args: string[] = process.argv.slice(2)): BenchOptions {
  const { values, positionals } = parseCliArgs(
    {
      messages: { type: 'string' },
      'batch-sizes': { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      'floor-messages': { type: 'string' },
      'latency-invocations': { type: 'string' },
      'cold-runs': { type: 'string' },
      'memory-records': { type: 'string' },
      concurrency: { type: 'string' },
      'concurrency-batch': { type: 'string' },
      out: { type: 'string' },
      node: { type: 'string' },
      check: { type: 'boolean', default: false },
      logs: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    args,
    false,
  );
  if (values.help || positionals.length > 0) throw new UsageError(USAGE);
  const flags = parseValues(numericFlags, values, (flag, expected) => {
    return new UsageError(`--${flag} ${JSON.stringify(values[flag as keyof typeof values])}: ${expected}\n${USAGE}`);
  });
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
    outDir: path.resolve(values.out ?? path.join(repoRoot, 'bench', 'results')),
    childNode: values.node === undefined ? process.execPath : path.resolve(values.node),
    check: values.check,
    logs: values.logs,
  };
}
