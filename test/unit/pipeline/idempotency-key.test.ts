import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asFirstDelivered,
  idempotencyKey,
  isValidMessageId,
  ORIGINAL_MESSAGE_ID_ATTRIBUTE,
  ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE,
  recordIdempotencyKey,
} from '../../../lambda/pipeline/idempotency-key.js';
import { sqsRecord } from '../../../tools/lib/sqs-event.js';

const ORIGINAL = '059f36b4-87a3-44ab-83d2-661975830a7d';
const REDRIVEN = 'b2a8e1c0-5f0e-4a59-9d43-0c4d2b6f7e11';

describe('idempotencyKey', () => {
  it('is the message id when no original id is carried', () => {
    assert.equal(idempotencyKey(REDRIVEN, undefined), REDRIVEN);
  });

  it('prefers a well-formed original id, in either spelling of a String attribute', () => {
    assert.equal(idempotencyKey(REDRIVEN, { dataType: 'String', stringValue: ORIGINAL }), ORIGINAL);
    assert.equal(idempotencyKey(REDRIVEN, { DataType: 'String', StringValue: ORIGINAL }), ORIGINAL);
  });

  it('ignores a malformed attribute and keeps the message id', () => {
    const bad: unknown[] = [
      null,
      'not an object',
      42,
      {},
      { dataType: 'Number', stringValue: ORIGINAL },
      { dataType: 'Binary', binaryValue: ORIGINAL },
      { dataType: 'String' },
      { dataType: 'String', stringValue: '' },
      { dataType: 'String', stringValue: 'x'.repeat(129) },
      { dataType: 'String', stringValue: 'has space' },
      { dataType: 'String', stringValue: 'tab\there' },
      { dataType: 'String', stringValue: 'naïve' },
      { dataType: 'String', stringValue: 123 },
    ];
    for (const attribute of bad) assert.equal(idempotencyKey(REDRIVEN, attribute), REDRIVEN, JSON.stringify(attribute));
  });

  it('accepts ids of 1 to 128 visible ASCII characters', () => {
    assert.ok(isValidMessageId('x'));
    assert.ok(isValidMessageId('x'.repeat(128)));
    assert.ok(isValidMessageId(ORIGINAL));
    assert.ok(!isValidMessageId('x'.repeat(129)));
    assert.ok(!isValidMessageId(''));
    assert.ok(!isValidMessageId(undefined));
  });

  it('reads the record attribute named login-etl-original-message-id', () => {
    assert.equal(ORIGINAL_MESSAGE_ID_ATTRIBUTE, 'login-etl-original-message-id');
    const plain = sqsRecord('{}', { messageId: REDRIVEN });
    assert.equal(recordIdempotencyKey(plain), REDRIVEN);
    const redriven = {
      ...plain,
      messageAttributes: {
        [ORIGINAL_MESSAGE_ID_ATTRIBUTE]: { dataType: 'String', stringValue: ORIGINAL, stringListValues: [], binaryListValues: [] },
      },
    };
    assert.equal(recordIdempotencyKey(redriven), ORIGINAL);
    // A record from a hand-written event file may have no attributes at all.
    assert.equal(recordIdempotencyKey({ ...plain, messageAttributes: undefined as never }), REDRIVEN);
  });
});

describe('asFirstDelivered', () => {
  const attribute = (dataType: string, stringValue: string) => ({ dataType, stringValue, stringListValues: [], binaryListValues: [] });

  it('gives a redriven record its first message id and SentTimestamp, so its create_date is the first one', () => {
    assert.equal(ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE, 'login-etl-original-sent-timestamp');
    const redriven = {
      ...sqsRecord('{}', { messageId: REDRIVEN, sentTimestamp: Date.UTC(2026, 10, 30) }),
      messageAttributes: {
        [ORIGINAL_MESSAGE_ID_ATTRIBUTE]: attribute('String', ORIGINAL),
        [ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE]: attribute('String', String(Date.UTC(2026, 10, 2))),
      },
    };
    const first = asFirstDelivered(redriven);
    assert.equal(first.messageId, ORIGINAL);
    assert.equal(first.attributes.SentTimestamp, String(Date.UTC(2026, 10, 2)));
    assert.equal(redriven.attributes.SentTimestamp, String(Date.UTC(2026, 10, 30)), 'the event record is left as it was');
    const numeric = { ...redriven, messageAttributes: { [ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE]: attribute('Number', '1700000000000') } };
    assert.equal(asFirstDelivered(numeric).attributes.SentTimestamp, '1700000000000');
  });

  it('keeps the record as it is without the attributes, and ignores a malformed SentTimestamp', () => {
    const plain = sqsRecord('{}', { messageId: REDRIVEN, sentTimestamp: 1_700_000_000_000 });
    assert.equal(asFirstDelivered(plain), plain);
    for (const bad of ['', '-5', '1.5e12', '0', 'soon', '9'.repeat(14)]) {
      const record = { ...plain, messageAttributes: { [ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE]: attribute('String', bad) } };
      assert.equal(asFirstDelivered(record).attributes.SentTimestamp, '1700000000000', bad);
    }
  });
});
