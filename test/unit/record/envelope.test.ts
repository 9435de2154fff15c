import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuarantineReason } from '../../../lambda/errors.js';
import { envelopeKind, type JsonObject } from '../../../lambda/record/envelope.js';
import { parseLogin } from '../../../lambda/record/parse-login.js';
import { envelopeEvent, eventBridgeWrapped, innerLogin, snsWrapped } from '../../support/envelopes.js';
import { exampleLogin, findPii, samplePii } from '../../support/samples.js';

const bodies = (name: Parameters<typeof envelopeEvent>[0]) => envelopeEvent(name).Records.map((r) => r.body);
const kindOf = (body: string) => envelopeKind(JSON.parse(body) as JsonObject);
const login = JSON.stringify(exampleLogin);

function failure(body: string, options?: Parameters<typeof parseLogin>[1]) {
  const r = parseLogin(body, options);
  assert.ok(!r.ok, 'expected a failure');
  return r;
}

describe('envelope detection', () => {
  it('knows the fixtures by their own fields', () => {
    for (const body of [...bodies('sns'), ...bodies('snsFifo')]) assert.equal(kindOf(body), 'sns');
    for (const body of bodies('eventBridge')) assert.equal(kindOf(body), 'eventbridge');
  });

  it('never takes a bare login for an envelope, whatever envelope-like fields it has', () => {
    const lookalikes = [
      { ...exampleLogin },
      { ...exampleLogin, Type: 'Notification' },
      { ...exampleLogin, Type: 'Notification', TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: login, Timestamp: 'now' },
      { ...exampleLogin, source: 'web', detail: { campaign: 'x' } },
      { ...exampleLogin, source: 'web', 'detail-type': 'login', detail: {}, version: '0', id: 'x', account: '1', time: 't', region: 'r' },
    ];
    for (const l of lookalikes) assert.equal(envelopeKind(l), undefined, JSON.stringify(Object.keys(l)));
  });

  it('needs every field SNS always sends, with SNS values', () => {
    const sns = JSON.parse(snsWrapped(login)) as JsonObject;
    assert.equal(envelopeKind(sns), 'sns');
    for (const field of ['Type', 'TopicArn', 'MessageId', 'Message', 'Timestamp']) {
      const { [field]: _drop, ...rest } = sns;
      assert.equal(envelopeKind(rest), undefined, `without ${field}`);
    }
    assert.equal(envelopeKind({ ...sns, Type: 'SubscriptionConfirmation' }), undefined);
    assert.equal(envelopeKind({ ...sns, TopicArn: 'arn:aws:sqs:us-east-1:111122223333:logins' }), undefined);
    assert.equal(envelopeKind({ ...sns, Message: JSON.parse(login) as unknown }), undefined, 'Message is a string in SNS');
    for (const field of ['Signature', 'SignatureVersion', 'SigningCertURL', 'UnsubscribeURL']) {
      const { [field]: _drop, ...rest } = sns;
      assert.equal(envelopeKind(rest), 'sns', `a FIFO topic sends no ${field}`);
    }
  });

  it('needs every field EventBridge always sends', () => {
    const event = JSON.parse(eventBridgeWrapped(exampleLogin)) as JsonObject;
    assert.equal(envelopeKind(event), 'eventbridge');
    for (const field of ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']) {
      const { [field]: _drop, ...rest } = event;
      assert.equal(envelopeKind(rest), undefined, `without ${field}`);
    }
    assert.equal(envelopeKind({ ...event, 'replay-name': 'archive-replay' }), 'eventbridge', 'replays add a field');
  });
});

describe('parseLogin with envelopes', () => {
  it('finds the same login in every envelope as in the bare body', () => {
    const bare = parseLogin(login);
    assert.ok(bare.ok);
    for (const body of [snsWrapped(login), eventBridgeWrapped(exampleLogin)]) {
      const r = parseLogin(body);
      assert.ok(r.ok, body);
      assert.deepEqual(r.message, bare.message);
    }
    assert.equal((parseLogin(snsWrapped(login)) as { envelope?: string }).envelope, 'sns');
    assert.equal((parseLogin(eventBridgeWrapped(exampleLogin)) as { envelope?: string }).envelope, 'eventbridge');
  });

  it('reads every valid login of the fixtures', () => {
    const valid = [bodies('sns')[0], bodies('sns')[1], bodies('snsFifo')[0], bodies('eventBridge')[0]] as string[];
    for (const body of valid) {
      const r = parseLogin(body);
      assert.ok(r.ok, body);
      const bare = parseLogin(innerLogin(body));
      assert.ok(bare.ok);
      assert.deepEqual(r.message, bare.message);
    }
  });

  it('validates the login inside as a bare one, and names the envelope in the detail', () => {
    const [, , noUserId, notJson] = bodies('sns') as [string, string, string, string];
    let r = failure(noUserId);
    assert.equal(r.error.reason, QuarantineReason.SchemaViolation);
    assert.equal(r.error.detail, 'sns: user_id: is required');
    r = failure(notJson);
    assert.equal(r.error.reason, QuarantineReason.InvalidJson);
    assert.equal(r.error.detail, 'sns: Message is not valid JSON');
    r = failure((bodies('snsFifo')[1]) as string);
    assert.equal(r.error.detail, 'sns: ip: must be an IPv4 or IPv6 address');
    r = failure((bodies('eventBridge')[1]) as string);
    assert.equal(r.error.detail, 'eventbridge: device_id: is required');
  });

  it('quarantines a payload that is not an object, naming where it was', () => {
    const cases: [string, string][] = [
      [snsWrapped('"just text"'), 'sns: Message is a string, not a JSON object'],
      [snsWrapped('[1,2]'), 'sns: Message is an array, not a JSON object'],
      [snsWrapped('null'), 'sns: Message is null, not a JSON object'],
      [eventBridgeWrapped([exampleLogin]), 'eventbridge: detail is an array, not a JSON object'],
      [eventBridgeWrapped(login), 'eventbridge: detail is a string, not a JSON object'],
      [eventBridgeWrapped(null), 'eventbridge: detail is null, not a JSON object'],
    ];
    for (const [body, detail] of cases) {
      const r = failure(body);
      assert.equal(r.error.reason, QuarantineReason.NotAnObject, detail);
      assert.equal(r.error.detail, detail);
    }
  });

  it('keeps values out of every detail', () => {
    const leaky = { ...exampleLogin, ip: '999.1.1.1', device_id: 42 };
    for (const body of [snsWrapped(JSON.stringify(leaky)), eventBridgeWrapped(leaky), ...bodies('sns'), ...bodies('snsFifo'), ...bodies('eventBridge')]) {
      const r = parseLogin(body);
      if (r.ok) continue;
      assert.deepEqual(findPii(r.error.detail, [...samplePii, '999.1.1.1']), [], r.error.detail);
    }
  });

  it('treats a bare login with envelope-like fields as a bare login (unknown fields are ignored)', () => {
    const r = parseLogin(JSON.stringify({ ...exampleLogin, Type: 'Notification', source: 'web', detail: { a: 1 } }));
    assert.ok(r.ok);
    assert.equal(r.envelope, undefined);
    const bad = failure(JSON.stringify({ Type: 'Notification', Message: login, source: 'web', detail: exampleLogin }));
    assert.equal(bad.error.reason, QuarantineReason.SchemaViolation);
    assert.match(bad.error.detail, /^user_id: is required/);
  });

  it('leaves an SNS subscription confirmation to the quarantine, as a body without login fields', () => {
    const confirmation = snsWrapped('You have chosen to subscribe to the topic …').replace('"Type" : "Notification"', '"Type" : "SubscriptionConfirmation"');
    const r = failure(confirmation);
    assert.equal(r.envelope, undefined);
    assert.equal(r.error.reason, QuarantineReason.SchemaViolation);
  });

  it('with unwrapping off, quarantines an envelope as a schema violation and says why', () => {
    for (const [body, name] of [
      [snsWrapped(login), 'an SNS notification'],
      [eventBridgeWrapped(exampleLogin), 'an EventBridge event'],
    ] as const) {
      const r = failure(body, { unwrapEnvelopes: false });
      assert.equal(r.error.reason, QuarantineReason.SchemaViolation);
      assert.match(r.error.detail, /^user_id: is required;/);
      assert.ok(r.error.detail.endsWith(`(the body is ${name}; envelope unwrapping is off)`), r.error.detail);
    }
    const bare = failure('{"foo":"oops_wrong_msg_type","bar":"123"}', { unwrapEnvelopes: false });
    assert.doesNotMatch(bare.error.detail, /envelope/);
    assert.ok(parseLogin(login, { unwrapEnvelopes: false }).ok);
  });
});
