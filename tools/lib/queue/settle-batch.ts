import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type BatchResultErrorEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { classifySqsError } from './errors.js';
import { chunks } from './chunks.js';

export interface SettleResult {
  done: number;
  /** Entries SQS refused or calls that failed, by error code. */
  failed: Map<string, number>;
}

interface Entry {
  Id: string;
  ReceiptHandle: string;
}

const tally = (into: Map<string, number>, code: string, n = 1) => into.set(code, (into.get(code) ?? 0) + n);

function codeOf(error: unknown): string {
  const name = (error as { name?: unknown; code?: unknown } | null)?.name;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : typeof name === 'string' ? name : 'Error';
}

/**
 * Runs a batch API over all entries, 10 per call, retrying once what failed
 * on the server's side (SenderFault false, or a call that did not get an
 * answer); what still fails is counted, never thrown: an undeleted message is
 * only redelivered, and the pipeline absorbs it as a duplicate.
 */
async function settle(entries: Entry[], call: (batch: Entry[]) => Promise<{ Failed?: BatchResultErrorEntry[] }>): Promise<SettleResult> {
  const result: SettleResult = { done: 0, failed: new Map() };
  const attempt = async (batch: Entry[], lastTry: boolean): Promise<Entry[]> => {
    try {
      const { Failed = [] } = await call(batch);
      const retry: Entry[] = [];
      const byId = new Map(batch.map((e) => [e.Id, e]));
      for (const f of Failed) {
        const entry = f.Id === undefined ? undefined : byId.get(f.Id);
        if (entry && !f.SenderFault && !lastTry) retry.push(entry);
        else tally(result.failed, f.Code ?? 'Failed');
      }
      result.done += batch.length - Failed.length;
      return retry;
    } catch (error) {
      if (!lastTry && classifySqsError(error) === 'unreachable') return batch;
      tally(result.failed, codeOf(error), batch.length);
      return [];
    }
  };
  await Promise.all(
    chunks(entries).map(async (batch) => {
      const retry = await attempt(batch, false);
      if (retry.length > 0) await attempt(retry, true);
    }),
  );
  return result;
}

/** DeleteMessageBatch for the records that landed (written, duplicate or quarantined). */
export function deleteMessages(client: SQSClient, queueUrl: string, receiptHandles: readonly string[]): Promise<SettleResult> {
  const entries = receiptHandles.map((ReceiptHandle, i) => ({ Id: `m${i}`, ReceiptHandle }));
  return settle(entries, (batch) => client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch })));
}

/** ChangeMessageVisibilityBatch: when each failed record may be received again. */
export function delayRedelivery(
  client: SQSClient,
  queueUrl: string,
  messages: readonly { receiptHandle: string; seconds: number }[],
): Promise<SettleResult> {
  const seconds = new Map<string, number>();
  const entries = messages.map((m, i) => {
    seconds.set(`m${i}`, m.seconds);
    return { Id: `m${i}`, ReceiptHandle: m.receiptHandle };
  });
  return settle(entries, (batch) =>
    client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((e) => ({ ...e, VisibilityTimeout: seconds.get(e.Id) ?? 0 })),
      }),
    ),
  );
}
