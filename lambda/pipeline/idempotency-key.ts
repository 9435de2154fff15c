import type { SQSRecord } from 'aws-lambda';

/**
 * The message attribute that carries a message's first SQS message id through
 * `npm run redrive`, which re-sends dead-lettered messages as new messages
 * (new ids). login-etl owns the name; producers must not set it.
 */
export const ORIGINAL_MESSAGE_ID_ATTRIBUTE = 'login-etl-original-message-id';

/**
 * The message attribute that carries a message's first SentTimestamp (epoch
 * milliseconds, as SQS gives it) through `npm run redrive`: a login's
 * create_date, and so its partition and its key (message_id, create_date),
 * come from it, so a redriven copy of a message that committed before it was
 * dead-lettered meets its first row. login-etl owns the name.
 */
export const ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE = 'login-etl-original-sent-timestamp';

/** Epoch milliseconds as SQS writes them: digits only, up to year 2286. */
const SENT_TIMESTAMP = /^[1-9]\d{0,12}$/;

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
  const value = stringAttribute(attribute, ['String']);
  return isValidMessageId(value) ? value : undefined;
}

function stringAttribute(attribute: unknown, dataTypes: readonly string[]): unknown {
  if (typeof attribute !== 'object' || attribute === null) return undefined;
  const a = attribute as { dataType?: unknown; stringValue?: unknown; DataType?: unknown; StringValue?: unknown };
  const dataType = a.dataType ?? a.DataType;
  return typeof dataType === 'string' && dataTypes.includes(dataType) ? (a.stringValue ?? a.StringValue) : undefined;
}

/**
 * A message's first SentTimestamp: the one ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE
 * carries when it is well formed (a String or Number attribute of epoch
 * milliseconds), else its own. A malformed attribute is ignored, as a
 * malformed original id is.
 */
export function originalSentTimestamp(sentTimestamp: string | undefined, originalAttribute: unknown): string | undefined {
  const value = stringAttribute(originalAttribute, ['String', 'Number']);
  return typeof value === 'string' && SENT_TIMESTAMP.test(value) ? value : sentTimestamp;
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

/**
 * The record as its first delivery was: its idempotency key as messageId
 * and its first SentTimestamp, so a redriven copy gets the row key of the
 * original. The same record when neither attribute applies.
 */
export function asFirstDelivered(record: SQSRecord): SQSRecord {
  const key = recordIdempotencyKey(record);
  const own = record.attributes?.SentTimestamp;
  const sent = originalSentTimestamp(own, record.messageAttributes?.[ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE]);
  if (key === record.messageId && sent === own) return record;
  return {
    ...record,
    messageId: key,
    ...(sent === own || sent === undefined ? {} : { attributes: { ...record.attributes, SentTimestamp: sent } }),
  };
}
