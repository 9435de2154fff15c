import { createHash } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_REGION } from './queue/queue-target.js';

const DEFAULT_QUEUE_ARN = `arn:aws:sqs:${DEFAULT_REGION}:000000000000:login-queue`;

export interface RecordOptions {
  messageId: string;
  sentTimestamp?: number;
  receiveCount?: number;
  queueArn?: string;
  receiptHandle?: string;
  messageGroupId?: string;
  sequenceNumber?: string;
}

/** A record shaped exactly as Lambda's SQS event source delivers it. */
export function sqsRecord(body: string, options: RecordOptions): SQSRecord {
  const queueArn = options.queueArn ?? DEFAULT_QUEUE_ARN;
  const sent = String(options.sentTimestamp ?? Date.now());
  const fifo = queueArn.endsWith('.fifo');
  return {
    messageId: options.messageId,
    receiptHandle: options.receiptHandle ?? `local-${options.messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: sent,
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: sent,
      ...(fifo
        ? {
            MessageGroupId: options.messageGroupId ?? 'default',
            SequenceNumber: options.sequenceNumber ?? '1',
            MessageDeduplicationId: options.messageId,
          }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? DEFAULT_REGION,
  };
}

/** A stable, UUID-shaped id: re-sending the same fixture redelivers the same messages. */
export function stableMessageId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function sqsEvent(
  bodies: readonly string[],
  options: { idPrefix?: string; sentTimestamp?: number; queueArn?: string } = {},
): SQSEvent {
  const prefix = options.idPrefix ?? 'login-etl-sample';
  return {
    Records: bodies.map((body, i) =>
      sqsRecord(body, {
        messageId: stableMessageId(`${prefix}-${i}`),
        sentTimestamp: options.sentTimestamp ?? Date.UTC(2026, 10, 1, 12, 0, 0) + i * 1000,
        ...(options.queueArn ? { queueArn: options.queueArn, sequenceNumber: String(i + 1) } : {}),
      }),
    ),
  };
}
