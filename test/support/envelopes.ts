import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SQSEvent } from 'aws-lambda';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'envelopes');

/**
 * SQS events as Lambda delivers them when logins reach the queue through SNS
 * (raw message delivery off) or an EventBridge rule (no input transformer).
 * Bodies follow AWS's documented shapes: SNS's pretty-printed notification
 * ("Key" : value), with the signature fields on a standard topic and
 * SequenceNumber without them on a FIFO topic; EventBridge's compact event.
 */
export const envelopeFixtures = {
  /** Standard topic → standard queue: a login; a login with Subject and MessageAttributes; a login without user_id; a Message that is not JSON. */
  sns: 'sns-event.json',
  /** FIFO topic → FIFO queue: a login; a login with an ip that is not one. */
  snsFifo: 'sns-fifo-event.json',
  /** EventBridge rule → standard queue: a login; a login without device_id. */
  eventBridge: 'eventbridge-event.json',
} as const;

export const envelopeFixturePath = (name: keyof typeof envelopeFixtures): string => path.join(dir, envelopeFixtures[name]);

export function envelopeEvent(name: keyof typeof envelopeFixtures): SQSEvent {
  return JSON.parse(readFileSync(envelopeFixturePath(name), 'utf8')) as SQSEvent;
}

/** The login inside an envelope body, as its producer published it (the SNS Message, or EventBridge's detail as JSON). */
export function innerLogin(body: string): string {
  const envelope = JSON.parse(body) as { Message?: string; detail?: unknown };
  return envelope.Message ?? JSON.stringify(envelope.detail);
}

/**
 * A body wrapped as SNS delivers it to SQS with raw message delivery off: a
 * standard topic signs it; a FIFO topic numbers it and does not sign it.
 */
export function snsWrapped(message: string, options: { messageId?: string; fifo?: boolean } = {}): string {
  const topicArn = `arn:aws:sns:us-east-1:111122223333:logins${options.fifo ? '.fifo' : ''}`;
  const signature = [
    `  "SignatureVersion" : "1",`,
    `  "Signature" : "EXAMPLEpH+pXx3BZ3YpWsyXGzCFHvpzq3bWqnN4H0WQ4bCPQ==",`,
    `  "SigningCertURL" : "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",`,
  ];
  return [
    '{',
    `  "Type" : "Notification",`,
    `  "MessageId" : ${JSON.stringify(options.messageId ?? '7f1c8e4e-6a55-5b0f-9c43-2f3c3f2f9a10')},`,
    ...(options.fifo ? [`  "SequenceNumber" : "10000000000000003000",`] : []),
    `  "TopicArn" : ${JSON.stringify(topicArn)},`,
    `  "Message" : ${JSON.stringify(message)},`,
    `  "Timestamp" : "2026-11-01T12:00:00.000Z",`,
    ...(options.fifo ? [] : signature),
    `  "UnsubscribeURL" : "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:0b410f3c-ee5e-49d8-b59b-3b4aa6d8fcf5"`,
    '}',
  ].join('\n');
}

/** An object wrapped as an EventBridge rule delivers it to SQS without an input transformer. */
export function eventBridgeWrapped(detail: unknown, id = '6a7e8feb-b491-4cf7-a9f1-bf3703467718'): string {
  return JSON.stringify({
    version: '0',
    id,
    'detail-type': 'User Login',
    source: 'com.example.auth',
    account: '111122223333',
    time: '2026-11-01T12:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });
}
