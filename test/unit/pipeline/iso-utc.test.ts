import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isoUtc } from '../../../lambda/pipeline/iso-utc.js';

describe('isoUtc', () => {
  it('equals Date#toISOString for any time, in any order of calls (its day cache never leaks into another day)', () => {
    const instant = fc.oneof(
      fc.integer({ min: 0, max: 253_402_300_799_999 }),
      fc.integer({ min: 1_700_000_000_000, max: 1_700_000_000_000 + 3 * 86_400_000 }),
      fc.constantFrom(0, 86_399_999, 86_400_000, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, -1, 1.5),
    );
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 30 }), (times) => {
        for (const ms of times) assert.equal(isoUtc(ms), new Date(ms).toISOString());
      }),
      { numRuns: 2_000 },
    );
  });
});
