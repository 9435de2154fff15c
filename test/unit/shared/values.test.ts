/** The schemas for values people type: JSON values and text alike, and errors naming the key. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { numberInSteps, parseValues, trueOrFalse, wholeNumber, wholeNumbers } from '../../../shared/values.js';

const parse = (schema: z.ZodType, value: unknown): unknown =>
  parseValues(z.object({ key: schema }), { key: value }, (key, expected) => new Error(`${key}: ${expected}`)).key;

describe('wholeNumber', () => {
  it('takes a JSON number or decimal text', () => {
    assert.equal(parse(wholeNumber(1, 10), 7), 7);
    assert.equal(parse(wholeNumber(1, 10), ' 8 '), 8);
    assert.equal(parse(wholeNumber(0), '12345678'), 12_345_678);
  });
  it('refuses fractions, other text and values out of range, saying what it expected', () => {
    for (const value of [3.5, '3.5', '1e3', 'x', '', '11', 0, true]) {
      assert.throws(() => parse(wholeNumber(1, 10), value), /^Error: key: expected a whole number from 1 to 10$/, String(value));
    }
    assert.throws(() => parse(wholeNumber(1), '0'), /key: expected a whole number of at least 1$/);
  });
});

describe('wholeNumbers', () => {
  it('reads a comma list, in ascending order without repeats', () => {
    assert.deepEqual(parse(wholeNumbers(1, 100), '8,2, 4,2'), [2, 4, 8]);
  });
  it('refuses an empty list and any item out of range', () => {
    for (const value of ['', '1,0', '1,x', '101']) {
      assert.throws(() => parse(wholeNumbers(1, 100), value), /key: expected whole numbers from 1 to 100, separated by commas$/, value);
    }
  });
});

describe('trueOrFalse', () => {
  it('takes booleans and their text only', () => {
    assert.equal(parse(trueOrFalse(), 'true'), true);
    assert.equal(parse(trueOrFalse(), false), false);
    for (const value of ['yes', 1, 'TRUE']) assert.throws(() => parse(trueOrFalse(), value), /key: expected true or false$/);
  });
});

describe('parseValues', () => {
  it('fills defaults and names the first bad key', () => {
    const schema = z.object({ a: wholeNumber(1, 5).default(2), b: trueOrFalse().default(true) });
    assert.deepEqual(parseValues(schema, {}, () => new Error('unexpected')), { a: 2, b: true });
    assert.throws(
      () => parseValues(schema, { a: '3', b: 'maybe' }, (key, expected) => new RangeError(`${key} ${expected}`)),
      (error: unknown) => error instanceof RangeError && error.message === 'b expected true or false',
    );
  });
});

describe('numberInSteps', () => {
  it('takes a JSON number or decimal text on a step', () => {
    assert.equal(parse(numberInSteps(0.5, 256, 0.5), 0.5), 0.5);
    assert.equal(parse(numberInSteps(0.5, 256, 0.5), ' 8 '), 8);
    assert.equal(parse(numberInSteps(0.5, 256, 0.5), '40.5'), 40.5);
  });
  it('refuses values off the steps, out of range or not numbers, saying what it expected', () => {
    for (const value of [0.25, '1.2', 0, '256.5', '1e3', 'x', '', true, Number.NaN]) {
      assert.throws(() => parse(numberInSteps(0.5, 256, 0.5), value), /^Error: key: expected a number from 0.5 to 256 in steps of 0.5$/, String(value));
    }
  });
});
