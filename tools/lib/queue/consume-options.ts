import { BATCH_SIZE, brokenMappingRule } from '../../../shared/sqs-event-source.js';
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

/** The validated flags (tools/lib/commands/queue.ts) as the consumer's settings; the FIFO limits wait for {@link checkOptionsForQueue}. */
export function consumeOptions(flags: { 'batch-size': number; window: number; concurrency: number; drain: boolean }): ConsumeOptions {
  const options = { batchSize: flags['batch-size'], windowSeconds: flags.window, concurrency: flags.concurrency, drain: flags.drain };
  checkOptionsForQueue(options);
  return options;
}

/**
 * Lambda's event source mapping rules (shared/sqs-event-source.ts), for a
 * queue not yet described or for `queue`: FIFO mappings take at most 10
 * records and no batching window.
 */
export function checkOptionsForQueue(options: ConsumeOptions, queue?: QueueInfo): void {
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
