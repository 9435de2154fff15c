import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../tools/lib/cli.js';
import { parseCommandLine } from '../../tools/lib/command-line.js';
import { bench } from '../../tools/lib/commands/bench.js';
import { benchOptions } from '../options.js';

function options(args: readonly string[]) {
  const parsed = parseCommandLine(bench, args);
  assert.notEqual(parsed, 'help');
  return benchOptions((parsed as Exclude<typeof parsed, 'help'>).options);
}

describe('bench options: --rtt-ms', () => {
  it('is a 2 ms round trip unless given; 0 turns the hop off', () => {
    assert.equal(options([]).rttMs, 2);
    assert.equal(options(['--rtt-ms', '0']).rttMs, 0);
    assert.equal(options(['--rtt-ms', '10']).rttMs, 10);
  });

  for (const bad of ['-1', 'abc', '1.5', '', '1001']) {
    it(`refuses ${JSON.stringify(bad)} in one sentence naming the flag`, () => {
      assert.throws(
        () => options([`--rtt-ms=${bad}`]),
        (error: unknown) =>
          error instanceof UsageError &&
          error.message === `--rtt-ms "${bad}": expected a whole number from 0 to 1000` &&
          !error.message.includes('\n'),
      );
    });
  }
});
