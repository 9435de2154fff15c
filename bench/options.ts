import path from 'node:path';
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

export const USAGE =
  'usage: npm run bench -- [--messages N] [--batch-sizes 10,100,1000,10000] [--runs R] [--seed S]\n' +
  '  [--floor-messages N] [--latency-invocations N] [--cold-runs N] [--memory-records N]\n' +
  '  [--concurrency 1,2,4,8] [--concurrency-batch N] [--node PATH] [--out DIR] [--check] [--logs]';

function positive(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min} (got ${text})\n${USAGE}`);
  return n;
}

function list(name: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback;
  const values = text.split(',').map((p) => positive(name, p.trim(), 0));
  return [...new Set(values)].sort((a, b) => a - b);
}

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
  const messages = positive('messages', values.messages, 40_000);
  const batchSizes = list('batch-sizes', values['batch-sizes'], [10, 100, 1000, 10_000]);
  const tooBig = batchSizes.find((b) => b > 10_000);
  if (tooBig) throw new UsageError(`--batch-sizes: ${tooBig} is above the SQS maximum of 10,000`);
  return {
    messages,
    batchSizes,
    runs: positive('runs', values.runs, 3),
    seed: positive('seed', values.seed, 8, 0),
    floorMessages: Math.min(messages, positive('floor-messages', values['floor-messages'], 2_000)),
    latencyInvocations: positive('latency-invocations', values['latency-invocations'], 2_000),
    coldRuns: positive('cold-runs', values['cold-runs'], 10),
    memoryRecords: Math.min(10_000, positive('memory-records', values['memory-records'], 10_000)),
    concurrency: list('concurrency', values.concurrency, [1, 2, 4, 8]),
    concurrencyBatch: Math.min(10_000, positive('concurrency-batch', values['concurrency-batch'], 1_000)),
    outDir: path.resolve(values.out ?? path.join(repoRoot, 'bench', 'results')),
    childNode: values.node === undefined ? process.execPath : path.resolve(values.node),
    check: values.check,
    logs: values.logs,
  };
}
