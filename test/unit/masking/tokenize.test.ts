import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseKeyring } from '../../../lambda/masking/keyring.js';
import { tokenize, Tokenizer } from '../../../lambda/masking/tokenize.js';
import { keyringJson } from '../../support/keys.js';
import { sampleBodies } from '../../support/samples.js';

const sampleIps = sampleBodies
  .map((b) => (JSON.parse(b) as { ip?: string }).ip)
  .filter((ip): ip is string => typeof ip === 'string');

/** What someone without the key can compute from a dictionary of candidate ips. */
function unkeyedGuesses(ip: string): string[] {
  const inputs = [ip, `ip\u0000${ip}`, `ip:${ip}`];
  const hashes = inputs.flatMap((input) =>
    ['sha256', 'sha1', 'md5', 'sha512'].map((alg) => createHash(alg).update(input).digest('hex')),
  );
  const weakKeys = ['', 'secret', 'login-etl', 'v1'];
  const macs = weakKeys.map((k) => createHmac('sha256', k).update('ip').update('\u0000').update(ip).digest('hex'));
  return [...hashes, ...macs];
}

describe('keyed tokens (HMAC-SHA-256)', () => {
  const key = randomBytes(32);

  it('equal values give equal tokens; kinds are separated', () => {
    assert.equal(tokenize(key, 'ip', '10.0.0.1'), tokenize(key, 'ip', '10.0.0.1'));
    assert.notEqual(tokenize(key, 'ip', '10.0.0.1'), tokenize(key, 'ip', '10.0.0.2'));
    assert.notEqual(tokenize(key, 'ip', 'same'), tokenize(key, 'device_id', 'same'));
    assert.match(tokenize(key, 'ip', '10.0.0.1'), /^[0-9a-f]{64}$/);
  });

  it('a dictionary of every sample ip, hashed without the key, matches no token', () => {
    assert.ok(sampleIps.length >= 99);
    const tokens = new Set(sampleIps.map((ip) => tokenize(key, 'ip', ip)));
    const dictionary = sampleIps.flatMap(unkeyedGuesses);
    assert.equal(dictionary.filter((guess) => tokens.has(guess)).length, 0);
  });

  it('another key gives different tokens for every sample ip', () => {
    const other = randomBytes(32);
    for (const ip of sampleIps) assert.notEqual(tokenize(key, 'ip', ip), tokenize(other, 'ip', ip));
  });

  it('Tokenizer masks under the current version and looks up under all', () => {
    const v1 = randomBytes(32);
    const v2 = randomBytes(32);
    const tokenizer = new Tokenizer(parseKeyring(keyringJson({ v1, v2 }, 'v2'), 'test'));
    assert.equal(tokenizer.version, 'v2');
    assert.equal(tokenizer.token('ip', '10.0.0.1'), tokenize(v2, 'ip', '10.0.0.1'));
    assert.deepEqual(tokenizer.allTokens('ip', '10.0.0.1'), [
      { version: 'v1', token: tokenize(v1, 'ip', '10.0.0.1') },
      { version: 'v2', token: tokenize(v2, 'ip', '10.0.0.1') },
    ]);
  });

  it('Tokenizer.token (the fast path of the pipeline) equals tokenize() for any value', () => {
    const key = randomBytes(32);
    const tokenizer = new Tokenizer(parseKeyring(keyringJson({ v1: key }, 'v1'), 'test'));
    fc.assert(
      fc.property(fc.constantFrom('ip' as const, 'device_id' as const), fc.string({ unit: 'grapheme', maxLength: 300 }), (kind, value) => {
        assert.equal(tokenizer.token(kind, value), tokenize(key, kind, value));
      }),
      { numRuns: 500 },
    );
  });
});
