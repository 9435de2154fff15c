import fc from 'fast-check';
import { eventBridgeWrapped, snsWrapped } from '../support/envelopes.js';
import { exampleLogin } from '../support/samples.js';

const base = exampleLogin;
const withBase = (patch: Record<string, unknown>) => JSON.stringify({ ...base, ...patch });

/** Values a producer bug or an attacker might put in any field. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', "'; DROP TABLE user_logins; --", '1.2.3.4', '::1', '01.02.03.04', 'x'.repeat(300)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

const validIp: fc.Arbitrary<string> = fc.oneof(fc.ipV4(), fc.ipV6());

/** A login that is valid, or has one or two fields replaced or removed. */
export function loginBody(): fc.Arbitrary<string> {
  const fields = Object.keys(base);
  return fc
    .record({
      ip: validIp,
      device_id: fc.stringMatching(/^[0-9]{3}-[0-9]{2}-[0-9]{4}$/),
      mutate: fc.subarray(fields, { maxLength: 2 }),
      values: fc.array(hostileValue, { minLength: 2, maxLength: 2 }),
      drop: fc.boolean(),
    })
    .map(({ ip, device_id, mutate, values, drop }) => {
      const m: Record<string, unknown> = { ...base, ip, device_id };
      mutate.forEach((field, i) => {
        if (drop && i === 0) delete m[field];
        else m[field] = values[i];
      });
      return JSON.stringify(m);
    });
}

/** What a producer might publish inside an envelope: a login (valid or not), any text, any JSON. */
const payload: fc.Arbitrary<string> = fc.oneof(
  loginBody(),
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
);

/**
 * The same payloads inside an SNS notification (standard or FIFO topic) or an
 * EventBridge event, as they reach the queue. An EventBridge detail is JSON,
 * so a payload that is not JSON travels there as a string.
 */
export function envelopedBody(): fc.Arbitrary<string> {
  return fc.tuple(payload, fc.constantFrom('sns', 'sns-fifo', 'eventbridge')).map(([inner, kind]) => {
    if (kind !== 'eventbridge') return snsWrapped(inner, { fifo: kind === 'sns-fifo' });
    let detail: unknown;
    try {
      detail = JSON.parse(inner);
    } catch {
      detail = inner;
    }
    return eventBridgeWrapped(detail);
  });
}

export const nastyBodies: Record<string, string> = {
  nulByte: withBase({ user_id: 'abc\u0000def' }),
  nulInKey: JSON.stringify({ 'a\u0000b': 1, ...base, device_type: 'x\u0000' }),
  loneSurrogate: withBase({ device_id: 'ab\ud800cd' }),
  hugeBody: withBase({ padding: 'p'.repeat(256 * 1024) }),
  deeplyNested: '['.repeat(200_000) + ']'.repeat(200_000),
  deeplyNestedObject: '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000),
  numberForString: withBase({ user_id: 12345 }),
  arrayForString: withBase({ ip: ['1.2.3.4'] }),
  objectForString: withBase({ device_id: { value: '593-47-5928' } }),
  protoKeys: `{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, ${withBase({}).slice(1)}`,
  sqlMetacharacters: withBase({ user_id: "x'); DELETE FROM user_logins; --" }),
  notALocale: withBase({ locale: '"\\' }),
  freeTextDeviceType: withBase({ device_type: 'Jane Doe, +1 555 0100' }),
  ipv6: withBase({ ip: '2001:0DB8:0000:0000:0000:0000:0000:0001' }),
  ipv4Mapped: withBase({ ip: '::ffff:199.172.111.135' }),
  leadingZeros: withBase({ ip: '199.172.011.135' }),
  emptyStrings: withBase({ user_id: '', device_type: '', ip: '', device_id: '' }),
  longUserId: withBase({ user_id: 'u'.repeat(10_000) }),
  duplicateKeys: `{"user_id": "first", ${withBase({}).slice(1)}`,
  notAnObject: '"just a string"',
  emptyBody: '',
  whitespace: '   \n\t ',
  bom: '\ufeff' + withBase({}),
};
