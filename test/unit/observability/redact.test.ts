import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, redactReplacer, redactText } from '../../../lambda/observability/redact.js';

describe('redaction', () => {
  it('drops fields with PII names wherever they are nested', () => {
    const out = JSON.parse(JSON.stringify({ a: { ip: '1.2.3.4', device_id: 'x', body: '{}' }, b: 1 }, redactReplacer));
    assert.deepEqual(out, { a: { ip: REDACTED, device_id: REDACTED, body: REDACTED }, b: 1 });
  });
  it('masks addresses inside free text', () => {
    assert.equal(redactText('from 199.172.111.135 and 2001:db8::1 ok'), 'from [ip] and [ip] ok');
    assert.equal(redactText('ip=1.2.3.4, dead1.2.3.4; ::ffff:1.2.3.4.'), 'ip=[ip], dead[ip]; [ip].');
  });
  it('leaves tokens, uuids and times alone', () => {
    const uuid = '424cdd21-063a-43a7-b91b-7ca1a833afae';
    assert.equal(redactText(uuid), uuid);
    assert.equal(redactText('12:30:45'), '12:30:45');
    assert.equal(redactText('a'.repeat(64)), 'a'.repeat(64));
  });
});
