import type { SQSRecord } from 'aws-lambda';

/**
 * The message attribute that carries a message's first SQS message id through
 * `npm run redrive`, which re-sends dead-lettered messages as new messages
 * (new ids). login-etl owns the name; producers must not set it.
 */
export const ORIGINAL_MESSAGE_ID_ATTRIBUTE = 'login-etl-original-message-id';

/**
 * What may serve as a message id: 1 to 128 visible ASCII characters, the
 * alphabet and length SQS allows a deduplication id, and the length of the
 * message_id columns. SQS's own ids (UUIDs) fit.
 */
const MESSAGE_ID = /^[\x21-\x7e]{1,128}$/;

export function isValidMessageId(value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_ID.test(value);
}

/**
 * The original id an attribute carries, when it is a well-formed String
 * attribute, as the Lambda event (`stringValue`) or the SQS API
 * (`StringValue`) spells it; else undefined.
 */
function originalIdOf(attribute: unknown): string | undefined {
  if (typeof attribute !== 'object' || attribute === null) return undefined;
  const a = attribute as { dataType?: unknown; stringValue?: unknown; DataType?: unknown; StringValue?: unknown };
  const dataType = a.dataType ?? a.DataType;
  const value = a.stringValue ?? a.StringValue;
  return dataType === 'String' && isValidMessageId(value) ? value : undefined;
}

/**
 * A message's idempotency key: the id its row (user_logins or quarantine) is
 * stored under, so a redelivered or redriven copy is recognised as the same
 * message. The original id carried by ORIGINAL_MESSAGE_ID_ATTRIBUTE when it is
 * well formed, else the message's own SQS id. A malformed attribute is ignored
 * rather than quarantined: the body may be a good login, and ignoring it costs
 * at most a duplicate row after a redrive, never a lost one.
 */
export function idempotencyKey(messageId: string, originalAttribute: unknown): string {
  return originalIdOf(originalAttribute) ?? messageId;
}

/** The idempotency key of a record of a Lambda SQS event. */
export function recordIdempotencyKey(record: SQSRecord): string {
  return idempotencyKey(record.messageId, record.messageAttributes?.[ORIGINAL_MESSAGE_ID_ATTRIBUTE]);
}
