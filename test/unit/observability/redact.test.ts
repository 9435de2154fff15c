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
    // Glued to hex letters or digits on either side, an address is still one.
    assert.equal(redactText('ad2001:db8::1 and 2001:db8::1abcdef, 1.2.3.4.5'), 'ad[ip] and [ip]def, [ip].5');
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
  it('leaves no address in the text, whatever hex letters or digits it is glued to', () => {
    const address = fc.oneof(fc.ipV4(), fc.ipV6()).filter((a) => a.length >= 3);
    const glue = fc.stringMatching(/^[0-9a-fA-F]{0,6}$/);
    fc.assert(
      fc.property(glue, address, glue, (before, a, after) => {
        assert.ok(!redactText(`${before}${a}${after}`).includes(a), `${before}|${a}|${after}`);
      }),
      { numRuns: 3000 },
    );
  });
  it('masks exactly what node’s parser calls an address (the shape checks only skip the rest)', () => {
    // The rule without the shape checks: from each position of a run, the
    // longest text node's parser takes; every candidate goes to the parser.
    const reference = (text: string): string =>
      text.replace(/[0-9A-Fa-f:.]{3,}/g, (run) => {
        let out = '';
        for (let i = 0; i < run.length; ) {
          let end = 0;
          for (let j = run.length; j >= i + 3 && end === 0; j -= 1) if (isIP(run.slice(i, j))) end = j;
          out += end === 0 ? run[i] : '[ip]';
          i = end === 0 ? i + 1 : end;
        }
        return out;
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
