import { z } from 'zod';
import { BATCH_SIZE, BATCHING_WINDOW_SECONDS, brokenMappingRule } from '../../../shared/sqs-event-source.js';
import { parseValues, wholeNumber } from '../../../shared/values.js';
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

export const consumeCliOptions = {
  'batch-size': { type: 'string' },
  window: { type: 'string' },
  concurrency: { type: 'string' },
  drain: { type: 'boolean', default: false },
} as const;

/** The numeric flags with the limits Lambda puts on the same mapping settings, and Lambda's defaults for a new SQS mapping. */
const numericFlags = z.object({
  'batch-size': wholeNumber(BATCH_SIZE.min, BATCH_SIZE.max).default(10),
  window: wholeNumber(BATCHING_WINDOW_SECONDS.min, BATCHING_WINDOW_SECONDS.max).default(0),
  // Lambda's MaximumConcurrency starts at 2; one poller is allowed here for a step-by-step local run.
  concurrency: wholeNumber(1, 1_000).default(1),
});

type FlagValues = { [flag in keyof typeof numericFlags.shape]?: string | undefined } & { drain?: boolean | undefined };

/** Validates the flags; the FIFO limits wait for {@link checkOptionsForQueue}. */
export function parseConsumeOptions(values: FlagValues): ConsumeOptions {
  const flags = parseValues(numericFlags, values, (flag, expected) => {
    return new UsageError(`--${flag} ${JSON.stringify(values[flag as keyof FlagValues])}: ${expected}`);
  });
  const options = { batchSize: flags['batch-size'], windowSeconds: flags.window, concurrency: flags.concurrency, drain: values.drain ?? false };
  checkMappingRules(options);
  return options;
}

/** Checks the options against the queue: FIFO mappings take at most 10 records and no batching window. */
export function checkOptionsForQueue(options: ConsumeOptions, queue: QueueInfo): void {
  checkMappingRules(options, queue);
}

/** Lambda's event source mapping rules (shared/sqs-event-source.ts), for a queue not yet described or for `queue`. */
function checkMappingRules(options: ConsumeOptions, queue?: QueueInfo): void {
  switch (brokenMappingRule({ ...options, fifo: queue?.fifo ?? false })) {
    case 'window-required':
      throw new UsageError(`--batch-size ${options.batchSize} needs --window of at least 1 s (Lambda requires a batching window for batches above 10)`);
    case 'fifo-batch-size':
      throw new UsageError(`${queue?.name} is a FIFO queue: --batch-size must be ${BATCH_SIZE.fifoMax} or less`);
    case 'fifo-window':
      throw new UsageError(`${queue?.name} is a FIFO queue: Lambda takes no batching window there, drop --window`);
    case undefined:
      return;
  }
}
