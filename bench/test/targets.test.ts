import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scalesUntilSaturation } from '../targets.js';

describe('bench concurrency target', () => {
  it('passes growth then a plateau, fails no growth or a collapse', () => {
    assert.equal(scalesUntilSaturation([1000, 1800, 2000, 1900]), true);
    assert.equal(scalesUntilSaturation([1000, 1010, 990, 1000]), false);
    assert.equal(scalesUntilSaturation([1000, 1800, 900, 700]), false);
  });
});
