/** `npm run consume` flags: Lambda's defaults and limits for the same mapping settings, errors naming the flag. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../tools/lib/cli.js';
import { parseCommandLine } from '../../../tools/lib/command-line.js';
import { consume } from '../../../tools/lib/commands/queue.js';
import { checkOptionsForQueue, consumeOptions } from '../../../tools/lib/queue/consume-options.js';
import type { QueueInfo } from '../../../tools/lib/queue/queue-info.js';

const queue = (fifo: boolean): QueueInfo => ({
  url: 'http://127.0.0.1:1/000000000000/logins',
  arn: 'arn:aws:sqs:us-east-1:000000000000:logins',
  name: fifo ? 'logins.fifo' : 'logins',
  region: 'us-east-1',
  fifo,
  visibilityTimeoutSeconds: 30,
});

/** The command line as npm run consume reads it. */
function parseConsumeOptions(args: string[]) {
  const parsed = parseCommandLine(consume, args);
  return consumeOptions(parsed === 'help' ? assert.fail() : parsed.options);
}

const usageError = (message: RegExp) => (error: unknown) => error instanceof UsageError && message.test(error.message);

describe('npm run consume flags', () => {
  it("defaults to a new mapping's settings", () => {
    assert.deepEqual(parseConsumeOptions([]), { batchSize: 10, windowSeconds: 0, concurrency: 1, drain: false });
    assert.deepEqual(parseConsumeOptions(['--batch-size', '100', '--window', '5', '--concurrency', '4', '--drain']), {
      batchSize: 100,
      windowSeconds: 5,
      concurrency: 4,
      drain: true,
    });
  });
  it('names the flag and the range Lambda accepts', () => {
    assert.throws(() => parseConsumeOptions(['--batch-size', '0']), usageError(/^--batch-size "0": expected a whole number from 1 to 10000$/));
    assert.throws(() => parseConsumeOptions(['--window', '301']), usageError(/^--window "301": expected a whole number from 0 to 300$/));
    assert.throws(() => parseConsumeOptions(['--concurrency', 'many']), usageError(/^--concurrency "many": expected a whole number from 1 to 1000$/));
  });
  it('wants a window for a batch above 10', () => {
    assert.throws(() => parseConsumeOptions(['--batch-size', '11']), usageError(/--batch-size 11 needs --window of at least 1 s/));
  });
});

describe('checkOptionsForQueue', () => {
  it('holds a FIFO queue to 10 records and no window', () => {
    const large = parseConsumeOptions(['--batch-size', '100', '--window', '1']);
    checkOptionsForQueue(large, queue(false));
    assert.throws(() => checkOptionsForQueue(large, queue(true)), usageError(/^logins\.fifo is a FIFO queue: --batch-size must be 10 or less$/));
    const windowed = parseConsumeOptions(['--window', '1']);
    assert.throws(() => checkOptionsForQueue(windowed, queue(true)), usageError(/^logins\.fifo is a FIFO queue: .*drop --window$/));
    checkOptionsForQueue(parseConsumeOptions([]), queue(true));
  });
});
