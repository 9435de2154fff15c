import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { open, seal, VaultAuthenticationError } from '../../../lambda/vault/seal.js';

const flip = (b: Buffer, at: number): Buffer => {
  const copy = Buffer.from(b);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
};

describe('seal/open (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const value = Buffer.from('199.172.111.135');
  const context = 'ip:00ff';

  it('opens what it sealed, with a fresh nonce every time', () => {
    const a = seal(key, value, context);
    const b = seal(key, value, context);
    assert.deepEqual(open(key, a, context), value);
    assert.notDeepEqual(a.nonce, b.nonce);
    assert.notDeepEqual(a.ciphertext, b.ciphertext, 'equal values do not give equal ciphertexts');
    assert.equal(a.ciphertext.includes(value), false);
  });

  it('refuses every alteration with an authentication error, never garbage', () => {
    const sealed = seal(key, value, context);
    const cases: [string, () => Buffer][] = [
      ['a ciphertext bit', () => open(key, { ...sealed, ciphertext: flip(sealed.ciphertext, 0) }, context)],
      ['a tag bit', () => open(key, { ...sealed, ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) }, context)],
      ['a nonce bit', () => open(key, { ...sealed, nonce: flip(sealed.nonce, 3) }, context)],
      ['the context (moved to another token)', () => open(key, sealed, 'ip:00fe')],
      ['the kind in the context', () => open(key, sealed, 'device_id:00ff')],
      ['the key', () => open(randomBytes(32), sealed, context)],
      ['a truncated ciphertext', () => open(key, { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 10) }, context)],
      ['a short nonce', () => open(key, { ...sealed, nonce: sealed.nonce.subarray(1) }, context)],
    ];
    for (const [what, attempt] of cases) {
      assert.throws(attempt, VaultAuthenticationError, what);
    }
  });

  it('names what failed but never the value', () => {
    const sealed = seal(key, value, context);
    try {
      open(randomBytes(32), sealed, context);
      assert.fail('opened with the wrong key');
    } catch (error) {
      assert.ok(error instanceof VaultAuthenticationError);
      assert.match(error.message, /^ip: authentication failed/);
      assert.equal(error.message.includes('199.172'), false);
    }
  });
});
