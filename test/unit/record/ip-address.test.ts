import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalIp } from '../../../lambda/record/ip-address.js';

describe('canonicalIp', () => {
  it('keeps IPv4 as is', () => assert.equal(canonicalIp('199.172.111.135'), '199.172.111.135'));
  it('compresses and lower-cases IPv6', () => assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:1'), '2001:db8::1'));
  it('turns IPv4-mapped IPv6 into IPv4, so both spellings share a token', () => {
    assert.equal(canonicalIp('::ffff:1.2.3.4'), '1.2.3.4');
    assert.equal(canonicalIp('::FFFF:0102:0304'), '1.2.3.4');
  });
  it('rejects leading zeros, zone ids, and non-addresses', () => {
    for (const v of ['01.2.3.4', 'fe80::1%eth0', '1.2.3', '256.1.1.1', 'localhost', ' 1.2.3.4', '']) {
      assert.equal(canonicalIp(v), null, v);
    }
  });
});
