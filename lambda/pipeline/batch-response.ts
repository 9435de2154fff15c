import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { RecordOutcome } from './types.js';

/** FIFO sources are recognised by their ARN, as Lambda itself does. */
export function isFifoSource(records: readonly SQSRecord[]): boolean {
  return records[0]?.eventSourceARN?.endsWith('.fifo') ?? false;
}

/**
 * The partial batch response: exactly the records that did not land, named by
 * ids taken from the event (an unknown or empty id would make Lambda retry the
 * whole batch). On a FIFO queue, the first failure and every record after it
 * are reported, so a message group never skips ahead of a failed message.
 */
export function buildBatchResponse(
  records: readonly SQSRecord[],
  outcomeOf: (messageId: string) => RecordOutcome | undefined,
  fifo: boolean,
): SQSBatchResponse {
  const failed: string[] = [];
  let failing = false;
  for (const record of records) {
    const outcome = outcomeOf(record.messageId);
    const failedHere = outcome === undefined || outcome.status === 'failed';
    failing = fifo ? failing || failedHere : failedHere;
    if (failing && !failed.includes(record.messageId)) failed.push(record.messageId);
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
