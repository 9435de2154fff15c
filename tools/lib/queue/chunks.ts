import { chunksOf } from '../../../lambda/pipeline/chunks.js';

/** SQS batch APIs take at most 10 entries per call. */
export const SQS_BATCH_LIMIT = 10;

export function chunks<T>(items: readonly T[], size = SQS_BATCH_LIMIT): T[][] {
  return chunksOf(items, size);
}
