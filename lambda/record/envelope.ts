/**
 * The two envelopes a login arrives in when it reaches the queue through
 * another AWS service rather than SendMessage:
 *
 * - `sns`: an SNS notification, delivered to SQS with raw message delivery
 *   off (standard or FIFO topic); the login is the `Message` string.
 * - `eventbridge`: an EventBridge event, delivered to SQS by a rule target
 *   without an input transformer; the login is the `detail` object.
 *
 * Hand-written property checks rather than Powertools' parser schemas: those
 * import classic zod, which would take the bundle past its 1 MiB budget, and
 * detection runs on every record, where a few property reads cost nothing.
 */
export type EnvelopeKind = 'sns' | 'eventbridge';

export type JsonObject = Record<string, unknown>;

/** arn:<partition>:sns:<region>:<account>:<topic>, the only issuer of notifications. */
const SNS_TOPIC_ARN = /^arn:[a-z-]+:sns:/;

const isString = (value: unknown): value is string => typeof value === 'string';

/**
 * The fields SNS sets on every notification (standard and FIFO topics; the
 * signature fields are absent on FIFO topics, so they are not required).
 */
function isSnsNotification(json: JsonObject): boolean {
  return (
    json.Type === 'Notification' &&
    isString(json.TopicArn) &&
    SNS_TOPIC_ARN.test(json.TopicArn) &&
    isString(json.MessageId) &&
    isString(json.Message) &&
    isString(json.Timestamp)
  );
}

/** The fields EventBridge sets on every event it delivers. */
function isEventBridgeEvent(json: JsonObject): boolean {
  return (
    isString(json['detail-type']) &&
    isString(json.source) &&
    Object.hasOwn(json, 'detail') &&
    isString(json.version) &&
    isString(json.id) &&
    isString(json.account) &&
    isString(json.time) &&
    isString(json.region) &&
    Array.isArray(json.resources)
  );
}

/**
 * The envelope a parsed body is, by the envelope's own required fields, or
 * undefined for anything else. A login needs none of those fields, and one
 * that carries a few of them (a `Type`, a `source`) is still not an envelope:
 * it takes all of one envelope's fields, with SNS's literal `Type` and ARN.
 * A bare login costs two property reads.
 */
export function envelopeKind(json: JsonObject): EnvelopeKind | undefined {
  if (isSnsNotification(json)) return 'sns';
  if (isEventBridgeEvent(json)) return 'eventbridge';
  return undefined;
}

/** Where the login sits in each envelope, as its quarantine details name it. */
export const ENVELOPE_PAYLOAD: Readonly<Record<EnvelopeKind, string>> = { sns: 'Message', eventbridge: 'detail' };

/** What an envelope holds: the parsed payload, or undefined when SNS's Message is not JSON. */
export function envelopePayload(kind: EnvelopeKind, json: JsonObject): { parsed: true; value: unknown } | { parsed: false } {
  if (kind === 'eventbridge') return { parsed: true, value: json.detail };
  try {
    return { parsed: true, value: JSON.parse(json.Message as string) };
  } catch {
    return { parsed: false };
  }
}
