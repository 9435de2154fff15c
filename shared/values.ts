/**
 * Values people type: `-c key=value` and `--flag value` arrive as text,
 * cdk.json values as JSON numbers and booleans. Each schema here accepts
 * both shapes, and its message says only what was expected: the caller
 * knows whether the value was a context key or a flag, and names it
 * (see {@link parseValues}).
 */
import { z } from 'zod';

const WHOLE_NUMBER_TEXT = /^\s*-?\d+\s*$/;
const DECIMAL_TEXT = /^\s*-?\d+(?:\.\d+)?\s*$/;

const numberFromText = (value: unknown): unknown =>
  typeof value === 'string' && WHOLE_NUMBER_TEXT.test(value) ? Number(value) : value;

/** A whole number from `min` to `max` (no upper bound when `max` is omitted), as a number or as decimal text. */
export function wholeNumber(min: number, max?: number) {
  const error = max === undefined ? `expected a whole number of at least ${min}` : `expected a whole number from ${min} to ${max}`;
  const bounded = z.int({ error }).min(min, { error });
  return z.preprocess(numberFromText, max === undefined ? bounded : bounded.max(max, { error }));
}

/**
 * A number from `min` to `max` that is a whole multiple of `step` (Aurora's
 * half ACUs: `numberInSteps(0.5, 256, 0.5)`), as a number or as decimal text.
 */
export function numberInSteps(min: number, max: number, step: number) {
  const error = `expected a number from ${min} to ${max} in steps of ${step}`;
  const fromText = (value: unknown): unknown => (typeof value === 'string' && DECIMAL_TEXT.test(value) ? Number(value) : value);
  return z.preprocess(
    fromText,
    z.number({ error }).min(min, { error }).max(max, { error }).refine((n) => Number.isInteger(n / step), { error }),
  );
}

/** Comma-separated whole numbers (`1,2,4`), each from `min` to `max`: in ascending order, without repeats. */
export function wholeNumbers(min: number, max: number) {
  const error = `expected whole numbers from ${min} to ${max}, separated by commas`;
  const items = (value: unknown): unknown => (typeof value === 'string' ? value.split(',').map(numberFromText) : value);
  return z.preprocess(
    items,
    z
      .array(z.int({ error }).min(min, { error }).max(max, { error }), { error })
      .min(1, { error })
      .transform((values) => [...new Set(values)].sort((a, b) => a - b)),
  );
}

/** `true` or `false`, as a boolean or as text. */
export function trueOrFalse() {
  const fromText = (value: unknown): unknown => (value === 'true' ? true : value === 'false' ? false : value);
  return z.preprocess(fromText, z.boolean({ error: 'expected true or false' }));
}

/**
 * Parses `input` (one entry per key or flag) with `schema`. On failure, the
 * first problem becomes the caller's error: `problem(key, expected)` gets the
 * key or flag at fault and the schema's message for it.
 */
export function parseValues<S extends z.ZodType>(
  schema: S,
  input: Readonly<Record<string, unknown>>,
  problem: (key: string, expected: string) => Error,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  throw problem(String(issue?.path[0] ?? ''), issue?.message ?? 'invalid');
}
