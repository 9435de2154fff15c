import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QuarantineReason } from '../../../lambda/errors.js';
import { parseLogin } from '../../../lambda/record/parse-login.js';
import { exampleLogin, sampleBodies } from '../../support/samples.js';

const valid = exampleLogin;
const withField = (patch: Record<string, unknown>) => JSON.stringify({ ...valid, ...patch });

function reasonOf(body: string): string | undefined {
  const r = parseLogin(body);
  return r.ok ? undefined : r.error.reason;
}

describe('parseLogin', () => {
  it('accepts the 99 sample logins and refuses the malformed one', () => {
    const results = sampleBodies.map((b) => parseLogin(b));
    assert.equal(results.filter((r) => r.ok).length, 99);
    const bad = results.findIndex((r) => !r.ok);
    assert.equal(bad, 12, 'line 13 of the sample file');
  });

  it('treats a missing or null locale as null', () => {
    const { locale: _drop, ...noLocale } = valid;
    for (const body of [JSON.stringify(noLocale), withField({ locale: null })]) {
      const r = parseLogin(body);
      assert.ok(r.ok);
      assert.equal(r.message.locale, null);
    }
  });

  it('ignores unknown extra fields', () => {
    assert.ok(parseLogin(withField({ campaign: 'x' })).ok);
  });

  it('classifies invalid JSON, non-objects and schema violations', () => {
    assert.equal(reasonOf('{"user_id":'), QuarantineReason.InvalidJson);
    assert.equal(reasonOf(''), QuarantineReason.InvalidJson);
    for (const body of ['[]', '"text"', '42', 'null', 'true']) assert.equal(reasonOf(body), QuarantineReason.NotAnObject, body);
    assert.equal(reasonOf('{"foo":"oops_wrong_msg_type","bar":"123"}'), QuarantineReason.SchemaViolation);
  });

  it('enforces the column limits and types', () => {
    const cases: Record<string, unknown>[] = [
      { user_id: 'u'.repeat(129) },
      { device_type: 'd'.repeat(33) },
      { locale: 'l'.repeat(33) },
      { user_id: '' },
      { user_id: 42 },
      { app_version: 2.3 },
      { ip: ['1.2.3.4'] },
      { device_id: { id: 1 } },
      { ip: 'not-an-ip' },
      { user_id: 'a\u0000b' },
      { device_id: '\ud800' },
    ];
    for (const patch of cases) assert.equal(reasonOf(withField(patch)), QuarantineReason.SchemaViolation, JSON.stringify(patch));
  });

  it('takes a locale only in the shape of a language tag, and a device type only as a short lowercase word', () => {
    for (const locale of ['RU', 'en', 'pt-BR', 'en_US', 'zh-Hant-TW', 'de-CH-1996', null]) {
      assert.equal(reasonOf(withField({ locale })), undefined, String(locale));
    }
    for (const device_type of ['ios', 'android', 'smart_tv', 'wear-os', 'tv2']) assert.equal(reasonOf(withField({ device_type })), undefined, device_type);
    const refused: Record<string, unknown>[] = [
      { locale: 'jane.doe@example.com' },
      { locale: 'Jane Doe' },
      { locale: 'e' },
      { locale: 'en-' },
      { locale: '10.1.2.3' },
      { device_type: 'iPhone of Jane' },
      { device_type: 'iOS' },
      { device_type: '+1 555 0100' },
      { device_type: '_ios' },
    ];
    for (const patch of refused) assert.equal(reasonOf(withField(patch)), QuarantineReason.SchemaViolation, JSON.stringify(patch));
    const r = parseLogin(withField({ locale: 'jane.doe@example.com' }));
    assert.ok(!r.ok && !r.error.detail.includes('jane'), 'the detail names the rule, not the value');
  });

  it('names the fields and rules in its detail, never the values', () => {
    const r = parseLogin(withField({ ip: '999.1.1.1', device_id: 7 }));
    assert.ok(!r.ok);
    assert.match(r.error.detail, /ip: must be an IPv4 or IPv6 address/);
    assert.match(r.error.detail, /device_id: /);
    assert.doesNotMatch(r.error.detail, /999\.1\.1\.1/);
  });

  it('canonicalises the ip it returns', () => {
    const r = parseLogin(withField({ ip: '::ffff:199.172.111.135' }));
    assert.ok(r.ok);
    assert.equal(r.message.ip, '199.172.111.135');
  });
});
