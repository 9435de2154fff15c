import { createHash } from 'node:crypto';
import type { Message, MessageAttributeValue, ReceiveMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import type { QueueInfo } from './queue-info.js';

/**
 * What a ReceiveMessage call must ask for so a record can carry everything
 * Lambda's event source mapping puts in it. `AttributeNames` is the older
 * spelling of `MessageSystemAttributeNames`, still the only one some
 * emulator releases read; AWS accepts both.
 */
export const RECEIVE_EVERYTHING: Pick<ReceiveMessageCommandInput, 'MessageSystemAttributeNames' | 'AttributeNames' | 'MessageAttributeNames'> = {
  MessageSystemAttributeNames: ['All'],
  AttributeNames: ['All'],
  MessageAttributeNames: ['All'],
};

/** Lambda's lower-camel attribute shape, list fields always present (and empty, as SQS never fills them). */
function lambdaAttribute(value: MessageAttributeValue): SQSMessageAttributes[string] {
  return {
    ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
    dataType: value.DataType ?? 'String',
  };
}

/**
 * One received message as the record Lambda would hand the handler: system
 * attributes passed through as SQS returned them (SentTimestamp,
 * ApproximateReceiveCount, and on FIFO queues MessageGroupId, SequenceNumber,
 * MessageDeduplicationId), the queue's ARN and region from GetQueueAttributes.
 */
export function toSqsRecord(message: Message, queue: QueueInfo): SQSRecord {
  const body = message.Body ?? '';
  const received: Record<string, string> = { ...message.Attributes };
  // Every SQS-compatible server returns these for 'All'; the defaults only
  // keep the record well-formed if one does not.
  const sent = received.SentTimestamp ?? String(Date.now());
  const attributes: SQSRecordAttributes = {
    ...received,
    ApproximateReceiveCount: received.ApproximateReceiveCount ?? '1',
    SentTimestamp: sent,
    SenderId: received.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: received.ApproximateFirstReceiveTimestamp ?? sent,
  };
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) messageAttributes[name] = lambdaAttribute(value);
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body,
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? createHash('md5').update(body).digest('hex'),
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}
