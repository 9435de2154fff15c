import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeAppVersion, encodeAppVersion } from '../../../lambda/record/app-version.js';
import { sampleBodies } from '../../support/samples.js';

const sampleVersions = sampleBodies
  .map((b) => (JSON.parse(b) as { app_version?: string }).app_version)
  .filter((v): v is string => typeof v === 'string');

/** The encoding as first written, by pattern: the hand-written reader must give the same answer for every string. */
function encodeByPattern(version: string): number | null {
  const match = /^(\d{1,4})(?:\.(\d{1,3}))?(?:\.(\d{1,3}))?$/.exec(version);
  if (!match) return null;
  const [major, minor, patch] = [match[1], match[2], match[3]].map((p) => Number(p ?? '0')) as [number, number, number];
  return major > 2146 ? null : major * 1_000_000 + minor * 1_000 + patch;
}

/** Dotted digits near every edge: part lengths 0 to 5, up to four parts, stray characters. */
const versionLike = fc.oneof(
  fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '.'), maxLength: 16 }),
  fc.string({ unit: fc.constantFrom('0', '1', '2', '4', '6', '7', '9', '.', '-', 'a', ' ', '\u0660', '\uff10'), maxLength: 16 }),
  fc.array(fc.integer({ min: 0, max: 99_999 }), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')),
  fc.tuple(fc.integer({ min: 2140, max: 2150 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 })).map((p) => p.join('.')),
  fc.string(),
);

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

  it('reads exactly the strings the pattern matches, to the same number', () => {
    fc.assert(
      fc.property(versionLike, (v) => assert.equal(encodeAppVersion(v), encodeByPattern(v), JSON.stringify(v))),
      { numRuns: 50_000 },
    );
  });

  it('decodes back to the dotted form', () => {
    assert.equal(decodeAppVersion(2_003_000), '2.3.0');
    assert.equal(decodeAppVersion(96_000), '0.96.0');
  });
});
