import type { SQSRecord } from 'aws-lambda';
import type { PreparedRecord, RecordOutcome, WriteResult } from './types.js';

/**
 * One batch's outcomes by message id, in event order. Until a write settles
 * a record, it counts as failed: nothing is reported done that did not
 * commit.
 */
export class BatchOutcomes {
  readonly byId = new Map<string, RecordOutcome>();
  /** The batch's records, each message id once. */
  readonly records: SQSRecord[] = [];

  constructor(records: readonly SQSRecord[]) {
    // A message delivered twice in one batch is one message: it is processed
    // once and both copies share the outcome. One "not processed" error
    // serves the whole batch: an Error per record (with its stack) costs
    // more than hashing the record's PII.
    const notProcessed = new Error('not processed');
    for (const record of records) {
      if (this.byId.has(record.messageId)) continue;
      this.byId.set(record.messageId, { messageId: record.messageId, status: 'failed', error: notProcessed });
      this.records.push(record);
    }
  }

  fail(records: readonly { messageId: string }[], error: unknown): void {
    for (const { messageId } of records) this.byId.set(messageId, { messageId, status: 'failed', error });
  }

  /** What a committed write did with each of its records. */
  settle(items: readonly PreparedRecord[], result: WriteResult): void {
    for (const item of items) this.byId.set(item.messageId, settled(item, result));
  }
}

function settled(item: PreparedRecord, { written, quarantined }: WriteResult): RecordOutcome {
  const { messageId } = item;
  if (item.kind === 'login') {
    return written.has(messageId) ? { messageId, status: 'written' } : { messageId, status: 'duplicate' };
  }
  return quarantined.has(messageId)
    ? { messageId, status: 'quarantined', reason: item.row.reason, detail: item.row.detail }
    : { messageId, status: 'duplicate' };
}
