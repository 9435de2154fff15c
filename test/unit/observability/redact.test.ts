import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { REDACTED, redactReplacer, redactText } from '../../../lambda/observability/redact.js';

describe('redaction', () => {
  it('drops fields with PII names wherever they are nested', () => {
    const out = JSON.parse(JSON.stringify({ a: { ip: '1.2.3.4', device_id: 'x', body: '{}' }, b: 1 }, redactReplacer));
    assert.deepEqual(out, { a: { ip: REDACTED, device_id: REDACTED, body: REDACTED }, b: 1 });
  });
  it('masks addresses inside free text', () => {
    assert.equal(redactText('from 199.172.111.135 and 2001:db8::1 ok'), 'from [ip] and [ip] ok');
    assert.equal(redactText('ip=1.2.3.4, dead1.2.3.4; ::ffff:1.2.3.4.'), 'ip=[ip], dead[ip]; [ip].');
    // An IPv6 address may end in "::"; trailing punctuation is still not part of it.
    assert.equal(redactText('client 2001:db8:: failed, fe80::. then 1.2.3.4:'), 'client [ip] failed, [ip]. then [ip]:');
  });
  it('leaves tokens, uuids and times alone', () => {
    const uuid = '424cdd21-063a-43a7-b91b-7ca1a833afae';
    assert.equal(redactText(uuid), uuid);
    assert.equal(redactText('12:30:45'), '12:30:45');
    assert.equal(redactText('a'.repeat(64)), 'a'.repeat(64));
  });
  it('leaves no address in the text, whatever punctuation follows it', () => {
    // "::" alone (the unspecified address) is shorter than a masked run and names nobody.
    const address = fc.oneof(fc.ipV4(), fc.ipV6()).filter((a) => a.length >= 3);
    const after = fc.constantFrom('', '.', ':', ',', '..', '.:', ':.', ' ok', ']:443');
    fc.assert(
      fc.property(address, after, (a, tail) => {
        assert.ok(!redactText(`seen ${a}${tail} now`).includes(a), a);
      }),
      { numRuns: 3000 },
    );
  });
  it('masks exactly what node’s parser calls an address (the shape check only skips the rest)', () => {
    // The rule without the shape check: every run goes to node's parser.
    const reference = (text: string): string =>
      text.replace(/[0-9A-Fa-f:.]{3,}/g, (run) => {
        // The run, or the run less some of its trailing dots and colons.
        const trailing = (/[.:]*$/.exec(run)?.[0] ?? '').length;
        for (let cut = 0; cut <= trailing; cut += 1) {
          const candidate = run.slice(0, run.length - cut);
          if (candidate !== '' && isIP(candidate)) return `[ip]${run.slice(candidate.length)}`;
        }
        return run.replace(/\d{1,3}(?:\.\d{1,3}){3}/g, (m) => (isIP(m) ? '[ip]' : m));
      });
    const piece = fc.oneof(
      fc.ipV4(),
      fc.ipV6(),
      fc.ipV4Extended(),
      fc.stringMatching(/^[0-9a-fA-F:.]{1,24}$/),
      fc.constantFrom(' ', 'T', 'Z', '%', ',', '::', ':', '.', '1.2.3', '999.1.1.1', '14:12:15.812'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        assert.equal(redactText(text), reference(text));
      }),
      { numRuns: 3000 },
    );
  });
});
