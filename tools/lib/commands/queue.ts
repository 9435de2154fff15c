/** The local queue tools: send, consume, redrive (docs/queue.md). */
import { BATCH_SIZE, BATCHING_WINDOW_SECONDS, UNWINDOWED_BATCH_MAX } from '../../../shared/sqs-event-source.js';
import { wholeNumber } from '../../../shared/values.js';
import { defineCommand } from '../command-line.js';
import { logs, queueTarget, queueUrl } from './options.js';

export const send = defineCommand({
  name: 'send',
  description:
    'Sends a file of messages to an SQS queue, one message body per non-empty line, sent as it is (even if it is not valid JSON), ' +
    'in SendMessageBatch calls of at most 10 messages and 256 KiB. Lines SQS refuses are reported by line number and reason, never by content, and make the exit code 1.',
  options: { 'queue-url': queueUrl, ...queueTarget },
  positionals: { name: 'file.jsonl', description: 'the messages, one per line', count: 'one' },
  examples: [
    'npm run send -- test/fixtures/login-messages.jsonl',
    'npm run send -- day.jsonl --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/login-etl-queue',
  ],
});

export const consume = defineCommand({
  name: 'consume',
  description:
    "Does on this machine what the deployed event source mapping does: receives from the queue, builds Lambda's SQS events, " +
    'runs the same pipeline the handler runs, deletes what landed and leaves the reported failures for redelivery with a back-off. ' +
    'Each numeric option is the mapping setting of the same name, with its limits. Prints counts only, never a message body. ' +
    'Migrates first; uses DATABASE_URL, else an embedded PostgreSQL under .data/. Ctrl-C finishes the batches in flight.',
  options: {
    'queue-url': queueUrl,
    ...queueTarget,
    'batch-size': {
      type: 'number',
      value: 'N',
      schema: wholeNumber(BATCH_SIZE.min, BATCH_SIZE.max),
      default: 10,
      description: `records per batch, the mapping's BatchSize: ${BATCH_SIZE.min} to ${BATCH_SIZE.max}, at most ${BATCH_SIZE.fifoMax} on a FIFO queue`,
    },
    window: {
      type: 'number',
      value: 'S',
      schema: wholeNumber(BATCHING_WINDOW_SECONDS.min, BATCHING_WINDOW_SECONDS.max),
      default: 0,
      description:
        `seconds a batch may wait to fill, MaximumBatchingWindowInSeconds: ${BATCHING_WINDOW_SECONDS.min} to ${BATCHING_WINDOW_SECONDS.max}, ` +
        `at least 1 when --batch-size is above ${UNWINDOWED_BATCH_MAX}, 0 on a FIFO queue`,
    },
    concurrency: {
      type: 'number',
      value: 'N',
      // Lambda's MaximumConcurrency starts at 2; one poller is allowed here for a step-by-step local run.
      schema: wholeNumber(1, 1_000),
      default: 1,
      description: 'pollers, each one batch at a time on a connection of its own, ScalingConfig.MaximumConcurrency: 1 to 1000',
    },
    drain: { type: 'flag', description: 'stop once the queue is empty instead of polling until Ctrl-C' },
    logs,
  },
  examples: ['npm run consume -- --drain', 'npm run consume -- --batch-size 100 --window 5 --concurrency 10'],
});

export const redrive = defineCommand({
  name: 'redrive',
  description:
    'Moves the messages of the dead-letter queue back to the source queue once the cause of their failures is fixed. ' +
    'Each keeps its original message id, so one that landed meanwhile is absorbed as a duplicate. Both queues must be FIFO or both standard. ' +
    'Messages not sent, or sent but not deleted from the dead-letter queue, are counted on stderr and make the exit code 1.',
  options: {
    from: {
      type: 'text',
      value: 'DLQ_URL',
      description: 'the dead-letter queue to empty',
      defaultText: "the dead-letter queue named in --to's RedrivePolicy",
    },
    to: { ...queueUrl, description: 'the queue the messages go back to' },
    ...queueTarget,
  },
  examples: ['npm run redrive', 'npm run redrive -- --to https://sqs.eu-west-1.amazonaws.com/123456789012/login-etl-queue'],
});
