import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { KeyringError, nextVersion, parseKeyring, serializeKeyring } from '../../../lambda/masking/keyring.js';

describe('keyring', () => {
  it('round-trips through its serialized form', () => {
    const secret = 'x'.repeat(40);
    const keyring = parseKeyring(JSON.stringify({ current: 'v2', v1: secret, v2: `base64:${randomBytes(32).toString('base64')}` }), 't');
    const again = parseKeyring(serializeKeyring(keyring), 't');
    assert.equal(again.current, 'v2');
    assert.deepEqual(again.keys, keyring.keys);
    assert.deepEqual(again.keys.get('v1'), Buffer.from(secret), 'a UTF-8 key keeps its bytes');
    assert.equal(nextVersion(again), 'v3');
  });

  it('errors never repeat key material', () => {
    const secret = 'do-not-print-me-0123456789';
    const attempts = [
      `{"current":"v1","v1":"${secret}"`, // not JSON
      JSON.stringify({ current: 'v1', v1: secret }), // too short
      JSON.stringify({ current: 'v2', v1: `${secret}${secret}` }), // current missing
      JSON.stringify({ current: 'v1', v1: `${secret}${secret}`, k: secret }), // bad version name
    ];
    for (const text of attempts) {
      assert.throws(() => parseKeyring(text, 'MASKING_KEYS'), (error: unknown) => {
        assert.ok(error instanceof KeyringError);
        assert.equal(error.message.includes(secret), false, error.message);
        return true;
      });
    }
  });
});
