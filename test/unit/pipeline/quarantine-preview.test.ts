import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Tokenizer } from '../../../lambda/masking/tokenize.js';
import { quarantinePreview, quarantineUserToken } from '../../../lambda/pipeline/quarantine-preview.js';

const tokenizer = new Tokenizer({ current: 'v1', keys: new Map([['v1', randomBytes(32)]]) });
const preview = (json: unknown) => JSON.parse(quarantinePreview(json, 100, tokenizer)) as Record<string, unknown>;

describe('quarantine preview (an analyst-readable column)', () => {
  it('never stores an unknown field’s name or value, only how many there were', () => {
    const p = preview({ user_id: 'u-1', 'jane.doe@example.com': 'x', home_address: '1 Main St', ip: '10.1.2.3' });
    assert.deepEqual(p.unknown_fields, 2);
    const text = JSON.stringify(p);
    for (const secret of ['jane.doe', 'home_address', '1 Main St', '10.1.2.3']) assert.equal(text.includes(secret), false, secret);
  });

  it('shows a known field’s value only when it passes that field’s rule', () => {
    const p = preview({ user_id: 'u-1', device_type: 'Jane Doe', locale: 'jane@example.com', app_version: '2.3.0' });
    assert.deepEqual(p.fields, { user_id: 'u-1', device_type: '<string>', locale: '<string>', app_version: '2.3.0' });
    assert.deepEqual(preview({ user_id: 'u'.repeat(300), device_type: 'ios', locale: 'en_US' }).fields, {
      user_id: '<string>',
      device_type: 'ios',
      locale: 'en_US',
    });
  });

  it('keeps the PII fields as tokens and the user as a token of its own kind', () => {
    const p = preview({ ip: '10.1.2.3', device_id: 42 });
    assert.deepEqual(p.fields, { ip: `token:${tokenizer.token('ip', '10.1.2.3')}`, device_id: '<number>' });
    assert.equal(quarantineUserToken({ user_id: 'u-1' }, tokenizer), tokenizer.token('user_id', 'u-1'));
    assert.notEqual(tokenizer.token('user_id', 'same'), tokenizer.token('device_id', 'same'), 'kinds never share a token');
    for (const json of [undefined, null, [1], 'text', { user_id: 7 }]) assert.equal(quarantineUserToken(json, tokenizer), null);
  });
});
