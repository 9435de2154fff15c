import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildBatchResponse, isFifoSource } from '../../../lambda/pipeline/batch-response.js';
import type { RecordOutcome, RecordStatus } from '../../../lambda/pipeline/types.js';
import { sqsEvent } from '../../../tools/lib/sqs-event.js';

const FIFO_ARN = 'arn:aws:sqs:us-east-1:000000000000:login-queue.fifo';

function outcomes(ids: string[], statuses: RecordStatus[]): (id: string) => RecordOutcome | undefined {
  const map = new Map<string, RecordOutcome>();
  ids.forEach((messageId, i) => {
    const status = statuses[i] as RecordStatus;
    map.set(
      messageId,
      status === 'failed'
        ? { messageId, status, error: new Error('down') }
        : status === 'quarantined'
          ? { messageId, status, reason: 'schema_violation', detail: 'x' }
          : { messageId, status },
    );
  });
  return (id) => map.get(id);
}

describe('buildBatchResponse', () => {
  const event = sqsEvent(['a', 'b', 'c', 'd', 'e']);
  const ids = event.Records.map((r) => r.messageId);

  it('is empty when everything landed or was quarantined', () => {
    const r = buildBatchResponse(event.Records, outcomes(ids, ['written', 'duplicate', 'quarantined', 'written', 'written']), false);
    assert.deepEqual(r, { batchItemFailures: [] });
  });

  it('names exactly the failed records on a standard queue', () => {
    const r = buildBatchResponse(event.Records, outcomes(ids, ['written', 'failed', 'written', 'failed', 'written']), false);
    assert.deepEqual(r.batchItemFailures.map((f) => f.itemIdentifier), [ids[1], ids[3]]);
  });

  it('on FIFO, names the first failure and every record after it', () => {
    const r = buildBatchResponse(event.Records, outcomes(ids, ['written', 'failed', 'written', 'quarantined', 'written']), true);
    assert.deepEqual(r.batchItemFailures.map((f) => f.itemIdentifier), ids.slice(1));
  });

  it('treats a record without an outcome as failed, and lists each id once', () => {
    const twice = [...event.Records, event.Records[0]!];
    const r = buildBatchResponse(twice, () => undefined, false);
    assert.deepEqual(r.batchItemFailures.map((f) => f.itemIdentifier), ids);
  });

  it('recognises FIFO sources by their ARN', () => {
    assert.equal(isFifoSource(event.Records), false);
    assert.equal(isFifoSource(sqsEvent(['a'], { queueArn: FIFO_ARN }).Records), true);
    assert.equal(isFifoSource([]), false);
  });
});
