import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseKeyring } from '../../../lambda/masking/keyring.js';
import { tokenize } from '../../../lambda/masking/tokenize.js';
import { UsageError } from '../../../tools/lib/cli.js';
import { formatLookup, lookupTokens } from '../../../tools/lib/pii/lookup.js';
import { keyringJson } from '../../support/keys.js';

describe('lookup tokens', () => {
  const v1 = randomBytes(32);
  const v2 = randomBytes(32);
  const v3 = randomBytes(32);
  const keyring = parseKeyring(keyringJson({ v1, v3, v2 }, 'v2'), 'test');

  it('gives the token under every version, current first, then newest first', () => {
    const result = lookupTokens(keyring, 'device_id', '593-47-5928');
    assert.equal(result.column, 'masked_device_id');
    assert.deepEqual(result.tokens, [
      { version: 'v2', token: tokenize(v2, 'device_id', '593-47-5928'), current: true },
      { version: 'v3', token: tokenize(v3, 'device_id', '593-47-5928'), current: false },
      { version: 'v1', token: tokenize(v1, 'device_id', '593-47-5928'), current: false },
    ]);
  });

  it('canonicalises an ip the way the pipeline does', () => {
    const plain = lookupTokens(keyring, 'ip', '1.2.3.4').tokens;
    assert.deepEqual(lookupTokens(keyring, 'ip', '::ffff:1.2.3.4').tokens, plain);
    assert.deepEqual(lookupTokens(keyring, 'ip', ' 1.2.3.4 ').tokens, plain);
    assert.deepEqual(
      lookupTokens(keyring, 'ip', '2001:DB8:0:0::1').tokens.map((t) => t.token),
      lookupTokens(keyring, 'ip', '2001:db8::1').tokens.map((t) => t.token),
    );
  });

  it('refuses a non-address without repeating it', () => {
    assert.throws(() => lookupTokens(keyring, 'ip', '999.1.2.3'), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message.includes('999.1.2.3'), false);
      return true;
    });
  });

  it('prints tokens and a query, never the value', () => {
    const text = formatLookup(lookupTokens(keyring, 'ip', '10.20.30.40'));
    assert.equal(text.includes('10.20.30.40'), false);
    assert.match(text, /SELECT \* FROM user_logins WHERE masked_ip IN \('[0-9a-f]{64}', '[0-9a-f]{64}', '[0-9a-f]{64}'\);/);
    assert.match(text, /v2 +[0-9a-f]{64} +\(current\)/);
  });
});
