import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAppVersion, encodeAppVersion } from '../../../lambda/record/app-version.js';
import { sampleBodies } from '../../support/samples.js';

const sampleVersions = sampleBodies
  .map((b) => (JSON.parse(b) as { app_version?: string }).app_version)
  .filter((v): v is string => typeof v === 'string');

/** Reference order: numeric comparison part by part, missing parts as 0. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

describe('encodeAppVersion', () => {
  it('encodes major·10⁶ + minor·10³ + patch', () => {
    assert.equal(encodeAppVersion('2.3.0'), 2_003_000);
    assert.equal(encodeAppVersion('0.96'), 96_000);
    assert.equal(encodeAppVersion('2.00'), 2_000_000);
    assert.equal(encodeAppVersion('7'), 7_000_000);
    assert.equal(encodeAppVersion('2146.999.999'), 2_146_999_999);
  });

  it('encodes every sample version and preserves their order', () => {
    assert.equal(sampleVersions.length, 99);
    for (const v of sampleVersions) assert.notEqual(encodeAppVersion(v), null, v);
    const byVersion = [...sampleVersions].sort(compareVersions);
    const byCode = [...sampleVersions].sort((a, b) => (encodeAppVersion(a) ?? 0) - (encodeAppVersion(b) ?? 0));
    assert.deepEqual(byCode.map((v) => compareVersions(v, '0')), byVersion.map((v) => compareVersions(v, '0')));
    for (let i = 1; i < byCode.length; i += 1) {
      assert.ok(compareVersions(byCode[i - 1] as string, byCode[i] as string) <= 0);
    }
  });

  it('returns null, never throws, for what does not fit the integer column', () => {
    for (const v of ['2147.0.0', '1.1000.0', '1.2.3.4', '2.3.0-beta', 'v2', '', '1..2', '99999']) {
      assert.equal(encodeAppVersion(v), null, v);
    }
  });

  it('decodes back to the dotted form', () => {
    assert.equal(decodeAppVersion(2_003_000), '2.3.0');
    assert.equal(decodeAppVersion(96_000), '0.96.0');
  });
});
