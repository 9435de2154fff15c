/** SQS batch APIs take at most 10 entries per call. */
export const SQS_BATCH_LIMIT = 10;

export function chunks<T>(items: readonly T[], size = SQS_BATCH_LIMIT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
