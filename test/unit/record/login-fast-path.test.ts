import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LoginMessageSchema, parseCommonLogin } from '../../../lambda/record/login-schema.js';
import { sampleBodies } from '../../support/samples.js';

/** Text near each rule's edges: lengths at and past a limit, NUL, lone surrogates, case, separators. */
const text = (max: number) =>
  fc.oneof(
    fc.string({ minLength: 0, maxLength: max + 2 }),
    fc.string({ unit: 'binary', minLength: 0, maxLength: 6 }),
    fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-', '.', ':', '\u0000', '\ud800', '\udc00', 'é'), maxLength: 12 }),
    fc.constantFrom('', 'x'.repeat(max), 'x'.repeat(max + 1), '\ud83d\ude00'.repeat(max / 2), 'a\u0000'),
  );

const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4Extended(),
  fc.constantFrom('::ffff:10.0.0.1', '::FFFF:0a00:0001', '2001:DB8::1', '010.1.2.3', 'fe80::1%eth0', '1.2.3', '::', '1.2.3.4 '),
  text(64),
);

/** A plausible string with a NUL, a lone surrogate or an emoji at one end: only the text rules, not the field's own, tell it apart. */
const spoiled = (plausible: fc.Arbitrary<string>) =>
  fc
    .tuple(plausible, fc.constantFrom('\u0000', '\ud800', '\udc00', '\ud83d\ude00', 'é', ' '), fc.boolean())
    .map(([value, odd, front]) => (front ? odd + value : value + odd));

/** A field's value: a plausible one, one spoiled at an end, text near its rules, another JSON type, or absent. */
const field = (plausible: fc.Arbitrary<string>, max: number) =>
  fc.option(fc.oneof(plausible, spoiled(plausible), text(max), fc.constantFrom(null, 0, 12, true, [], {})), { nil: undefined, freq: 8 });

/** Values each field's rules take, and values near or past them. */
const valid = {
  user_id: fc.constantFrom('u1', 'user-42', 'x'.repeat(128)),
  device_type: fc.constantFrom('ios', 'android', 'smart_tv', 'web-1'),
  ip: fc.oneof(fc.ipV4(), fc.ipV6()),
  device_id: fc.uuid(),
  locale: fc.constantFrom('en', 'pt-BR', 'en_US', 'zh-Hant-TW'),
  app_version: fc.constantFrom('2.3.0', '0.96', 'beta'),
};
const fields = {
  user_id: field(valid.user_id, 128),
  device_type: field(fc.oneof(valid.device_type, fc.constantFrom('iOS', '_x', 'a__b', 'a'.repeat(32), 'a'.repeat(33))), 32),
  ip: field(ip, 64),
  device_id: field(valid.device_id, 256),
  locale: field(fc.oneof(valid.locale, fc.constantFrom('e', 'en-', 'abcdefghi', 'en-US-x-123456789', `en${'-abc'.repeat(7)}xy`, `en${'-abc'.repeat(7)}xyz`)), 32),
  app_version: field(valid.app_version, 64),
};
type Field = keyof typeof fields;

const login = fc.record({ ...fields, extra: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: [] });

/**
 * A valid login with one field, in its place, drawn from anywhere in that
 * field's range: each rule is met alone, where the others all pass.
 */
const oneFieldOff = fc
  .constantFrom(...(Object.keys(fields) as Field[]))
  .chain((key) => fc.tuple(fc.record(valid), fields[key]).map(([json, value]) => ({ ...json, [key]: value })));

const logins = fc.oneof(login, oneFieldOff);

describe('parseCommonLogin', () => {
  it('accepts only what the schema accepts, and parses it to the same value with the same keys in the same order', () => {
    fc.assert(
      fc.property(logins, (json) => {
        const fast = parseCommonLogin(json);
        if (fast === undefined) return;
        const parsed = LoginMessageSchema.safeParse(json);
        assert.ok(parsed.success, `the schema refuses ${JSON.stringify(json)}`);
        assert.deepEqual(fast, parsed.data);
        assert.equal(JSON.stringify(fast), JSON.stringify(parsed.data));
      }),
      { numRuns: 20_000 },
    );
  });

  it('accepts what the schema accepts among the common shapes, so the schema is left for the rare ones', () => {
    fc.assert(
      fc.property(logins, (json) => {
        const parsed = LoginMessageSchema.safeParse(json);
        if (!parsed.success) return;
        assert.deepEqual(parseCommonLogin(json), parsed.data, JSON.stringify(json));
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes every valid sample login', () => {
    const accepted = sampleBodies.map((b) => parseCommonLogin(JSON.parse(b) as Record<string, unknown>));
    assert.equal(accepted.filter((m) => m !== undefined).length, 99);
  });
});
