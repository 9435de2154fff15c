import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  idempotencyKey,
  ORIGINAL_MESSAGE_ID_ATTRIBUTE,
  ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE,
  originalSentTimestamp,
} from '../../../lambda/pipeline/idempotency-key.js';
import { chunks } from './chunks.js';
import type { QueueInfo } from './queue-info.js';
import { deleteMessages } from './settle-batch.js';

export interface RedriveReport {
  moved: number;
  /** Messages that could not be sent, by SQS error code; they stay in the DLQ. */
  failed: Map<string, number>;
  /** Messages sent but not deleted from the DLQ, by error code: they are in both queues now. */
  notDeleted: Map<string, number>;
}

/** Held invisible in the DLQ while being moved; long enough for one send + delete. */
const MOVE_VISIBILITY_SECONDS = 60;
/** A receive this long that finds nothing means the DLQ is empty. */
const EMPTY_WAIT_SECONDS = 2;

/** SendMessage takes scalar attribute values only (the list fields are reserved). */
function sendableAttributes(attributes: Record<string, MessageAttributeValue> | undefined) {
  if (!attributes) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of Object.entries(attributes)) {
    out[name] = {
      DataType: v.DataType ?? 'String',
      ...(v.StringValue === undefined ? {} : { StringValue: v.StringValue }),
      ...(v.BinaryValue === undefined ? {} : { BinaryValue: v.BinaryValue }),
    };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The attributes a redriven copy carries: the message's own, its first
 * message id under ORIGINAL_MESSAGE_ID_ATTRIBUTE and its first SentTimestamp
 * under ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE (each kept from an earlier redrive,
 * else this message's), which the pipeline then stores it under.
 */
function redriveAttributes(m: Message): Record<string, MessageAttributeValue> | undefined {
  const attributes = sendableAttributes(m.MessageAttributes) ?? {};
  if (m.MessageId !== undefined) {
    const original = idempotencyKey(m.MessageId, m.MessageAttributes?.[ORIGINAL_MESSAGE_ID_ATTRIBUTE]);
    attributes[ORIGINAL_MESSAGE_ID_ATTRIBUTE] = { DataType: 'String', StringValue: original };
  }
  const sent = originalSentTimestamp(m.Attributes?.SentTimestamp, m.MessageAttributes?.[ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE]);
  if (sent !== undefined) attributes[ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE] = { DataType: 'String', StringValue: sent };
  return Object.keys(attributes).length > 0 ? attributes : undefined;
}

function entryOf(m: Message, i: number, fifo: boolean): SendMessageBatchRequestEntry {
  const attributes = redriveAttributes(m);
  return {
    Id: `m${i}`,
    MessageBody: m.Body ?? '',
    ...(attributes ? { MessageAttributes: attributes } : {}),
    ...(fifo
      ? {
          MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive',
          MessageDeduplicationId: m.Attributes?.MessageDeduplicationId ?? m.MessageId ?? `redrive-${i}`,
        }
      : {}),
  };
}

/**
 * Moves every message from `from` to `to`: receive, SendMessageBatch, then
 * delete from the DLQ only what was sent (a crash in between duplicates a
 * message, never loses one). Like SQS's own redrive (StartMessageMoveTask),
 * each moved message is a new message: new MessageId, new SentTimestamp,
 * receive count back to 0. Unlike it, each copy carries its first message id
 * and SentTimestamp (ORIGINAL_MESSAGE_ID_ATTRIBUTE, ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE), so the pipeline recognises a message that
 * had committed before it was dead-lettered. Works on every SQS-compatible
 * server, including emulators without the move-task API.
 */
export async function redriveMessages(
  client: SQSClient,
  from: QueueInfo,
  to: QueueInfo,
  onProgress?: (report: RedriveReport) => void,
): Promise<RedriveReport> {
  const report: RedriveReport = { moved: 0, failed: new Map(), notDeleted: new Map() };
  const unsent: string[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: from.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: EMPTY_WAIT_SECONDS,
        VisibilityTimeout: MOVE_VISIBILITY_SECONDS,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId', 'SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    const out = await client.send(new SendMessageBatchCommand({ QueueUrl: to.url, Entries: Messages.map((m, i) => entryOf(m, i, to.fifo)) }));
    const handle = (id: string | undefined) => Messages[Number((id ?? '').slice(1))]?.ReceiptHandle;
    const sent = (out.Successful ?? []).map((s) => handle(s.Id)).filter((h): h is string => h !== undefined);
    for (const f of out.Failed ?? []) {
      report.failed.set(f.Code ?? 'Failed', (report.failed.get(f.Code ?? 'Failed') ?? 0) + 1);
      const h = handle(f.Id);
      if (h) unsent.push(h);
    }
    const deleted = await deleteMessages(client, from.url, sent);
    report.moved += sent.length;
    // Sent but still in the DLQ: a later redrive sends it again, with the same
    // original id, so the pipeline absorbs it as a duplicate. Reported apart
    // all the same: the operator should know the DLQ is not empty.
    for (const [code, n] of deleted.failed) report.notDeleted.set(code, (report.notDeleted.get(code) ?? 0) + n);
    onProgress?.(report);
  }
  // What could not be sent becomes visible in the DLQ again at once.
  for (const batch of chunks(unsent)) {
    await client
      .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: from.url, Entries: batch.map((ReceiptHandle, i) => ({ Id: `m${i}`, ReceiptHandle, VisibilityTimeout: 0 })) }))
      .catch(() => undefined);
  }
  return report;
}
