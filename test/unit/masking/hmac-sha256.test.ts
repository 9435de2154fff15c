import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HmacSha256 } from '../../../lambda/masking/hmac-sha256.js';

const reference = (key: Uint8Array, message: string) => createHmac('sha256', key).update(message, 'utf8').digest('hex');

describe('HmacSha256', () => {
  it('matches the RFC 4231 test vectors (cases 1, 2, 6)', () => {
    const cases: [Buffer, string, string][] = [
      [Buffer.alloc(20, 0x0b), 'Hi There', 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
      [Buffer.from('Jefe'), 'what do ya want for nothing?', '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
      [
        Buffer.alloc(131, 0xaa),
        'Test Using Larger Than Block-Size Key - Hash Key First',
        '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      ],
    ];
    for (const [key, message, mac] of cases) assert.equal(new HmacSha256(key).hex(message), mac);
  });

  it('equals createHmac for any key and any message, call after call on one instance', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.array(fc.string({ unit: 'binary', maxLength: 400 }), { minLength: 1, maxLength: 8 }),
        (key, messages) => {
          const mac = new HmacSha256(key);
          for (const message of messages) assert.equal(mac.hex(message), reference(key, message));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('handles a message longer than its scratch buffer, then short ones again', () => {
    const key = Buffer.from('k'.repeat(32));
    const mac = new HmacSha256(key);
    for (const message of ['short', 'é'.repeat(5_000), 'x'.repeat(100_000), '', 'short']) {
      assert.equal(mac.hex(message), reference(key, message));
    }
  });

  it('binary() equals createHmac over the same bytes, interleaved with hex() on one instance', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.array(fc.uint8Array({ maxLength: 600 }), { minLength: 1, maxLength: 8 }),
        (key, messages) => {
          const mac = new HmacSha256(key);
          for (const bytes of messages) {
            const expected = createHmac('sha256', key).update(bytes).digest();
            assert.deepEqual(Buffer.from(mac.binary(bytes), 'latin1'), expected);
            assert.equal(mac.hex('between'), reference(key, 'between'));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
