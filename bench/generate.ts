import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { chunksOf } from '../lambda/pipeline/chunks.js';
import { sqsRecord, stableMessageId } from '../tools/lib/sqs-event.js';

/** SQS records around the bodies, with stable ids under `prefix`, a second apart. */
export function toRecords(bodies: readonly string[], prefix: string): SQSRecord[] {
  const start = Date.UTC(2026, 10, 1);
  return bodies.map((body, i) =>
    sqsRecord(body, { messageId: stableMessageId(`${prefix}-${i}`), sentTimestamp: start + i * 1000 }),
  );
}

/** Consecutive SQS events of at most `size` records each. */
export function toEvents(records: readonly SQSRecord[], size: number): SQSEvent[] {
  return chunksOf(records, size).map((Records) => ({ Records }));
}
