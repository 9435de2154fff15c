/**
 * Lambda's limits on an SQS event source mapping: the stack's context
 * (infra/context.ts) and the local consumer's flags (tools/consume.ts) set
 * the same BatchSize and MaximumBatchingWindowInSeconds, so both check them
 * here. Each caller words the problem in its own terms (context keys, flags).
 */

/** BatchSize: 1 to 10,000 records on a standard queue, at most 10 on a FIFO queue. */
export const BATCH_SIZE = { min: 1, max: 10_000, fifoMax: 10 } as const;
/** MaximumBatchingWindowInSeconds. */
export const BATCHING_WINDOW_SECONDS = { min: 0, max: 300 } as const;
/** A standard batch larger than this needs a batching window of at least 1 s. */
export const UNWINDOWED_BATCH_MAX = 10;

export interface MappingSettings {
  readonly batchSize: number;
  readonly windowSeconds: number;
  readonly fifo: boolean;
}

/**
 * The first mapping rule the settings break, each setting being within its
 * own range already:
 * - `fifo-batch-size`: a FIFO batch holds at most BATCH_SIZE.fifoMax records;
 * - `fifo-window`: Lambda takes no batching window on a FIFO queue;
 * - `window-required`: a batch above 10 records needs a window of at least 1 s.
 */
export type MappingRule = 'fifo-batch-size' | 'fifo-window' | 'window-required';

export function brokenMappingRule(settings: MappingSettings): MappingRule | undefined {
  if (settings.fifo && settings.batchSize > BATCH_SIZE.fifoMax) return 'fifo-batch-size';
  if (settings.fifo && settings.windowSeconds > 0) return 'fifo-window';
  if (settings.batchSize > UNWINDOWED_BATCH_MAX && settings.windowSeconds < 1) return 'window-required';
  return undefined;
}
