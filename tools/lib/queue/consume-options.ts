import { UsageError } from '../cli.js';
import type { QueueInfo } from './queue-info.js';

/** The consumer's settings, each one an event source mapping setting (docs/queue.md). */
export interface ConsumeOptions {
  /** BatchSize. */
  batchSize: number;
  /** MaximumBatchingWindowInSeconds. */
  windowSeconds: number;
  /** ScalingConfig.MaximumConcurrency: pollers, each one batch at a time. */
  concurrency: number;
  /** Stop once the queue stays empty (no mapping equivalent: Lambda never stops). */
  drain: boolean;
}

/** Lambda's defaults for a new SQS mapping. */
export const DEFAULT_BATCH_SIZE = 10;
export const DEFAULT_WINDOW_SECONDS = 0;
export const DEFAULT_CONCURRENCY = 1;

export const consumeCliOptions = {
  'batch-size': { type: 'string' },
  window: { type: 'string' },
  concurrency: { type: 'string' },
  drain: { type: 'boolean', default: false },
} as const;

function wholeNumber(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${flag} ${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
  }
  return n;
}

/** Validates the flags with the limits Lambda puts on the same mapping settings. */
export function parseConsumeOptions(values: {
  'batch-size'?: string | undefined;
  window?: string | undefined;
  concurrency?: string | undefined;
  drain?: boolean | undefined;
}): ConsumeOptions {
  const batchSize = wholeNumber(values['batch-size'], 'batch-size', DEFAULT_BATCH_SIZE, 1, 10_000);
  const windowSeconds = wholeNumber(values.window, 'window', DEFAULT_WINDOW_SECONDS, 0, 300);
  // Lambda's MaximumConcurrency starts at 2; one poller is allowed here for a step-by-step local run.
  const concurrency = wholeNumber(values.concurrency, 'concurrency', DEFAULT_CONCURRENCY, 1, 1_000);
  if (batchSize > 10 && windowSeconds < 1) {
    throw new UsageError(`--batch-size ${batchSize} needs --window of at least 1 s (Lambda requires a batching window for batches above 10)`);
  }
  return { batchSize, windowSeconds, concurrency, drain: values.drain ?? false };
}

/** FIFO mappings take at most 10 records and no batching window. */
export function checkOptionsForQueue(options: ConsumeOptions, queue: QueueInfo): void {
  if (!queue.fifo) return;
  if (options.batchSize > 10) throw new UsageError(`${queue.name} is a FIFO queue: --batch-size must be 10 or less`);
  if (options.windowSeconds > 0) throw new UsageError(`${queue.name} is a FIFO queue: Lambda takes no batching window there, drop --window`);
}
