import path from 'node:path';
import { parseCliArgs, Progress, runCli, UsageError } from './lib/cli.js';
import { QueueAccessError, toQueueAccessError } from './lib/queue/errors.js';
import { readMessageFile } from './lib/queue/message-file.js';
import { describeQueue } from './lib/queue/queue-info.js';
import { queueTargetOptions, resolveQueueTarget } from './lib/queue/queue-target.js';
import { SendInterruptedError, sendMessages } from './lib/queue/send-messages.js';
import { createSqsClient } from './lib/queue/sqs-client.js';

const USAGE = 'usage: npm run send -- <file.jsonl> [--queue-url URL] [--endpoint URL] [--region R]';

/**
 * npm run send -- <file.jsonl>: one message per line, as SendMessageBatch
 * calls. Lines SQS refuses are reported by line number and SQS's reason
 * (never their content), and make the exit code 1.
 */
runCli('send', async () => {
  const { values, positionals } = parseCliArgs({
    'queue-url': { type: 'string' },
    ...queueTargetOptions,
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const file = positionals[0] as string;
  const lines = await readMessageFile(file);
  const target = resolveQueueTarget({ queueUrl: values['queue-url'], endpoint: values.endpoint, region: values.region });
  const client = createSqsClient(target);
  const progress = new Progress();
  const started = Date.now();
  try {
    const queue = await describeQueue(client, target);
    const report = await sendMessages(client, queue.url, lines, {
      fifo: queue.fifo,
      onProgress: (r) => progress.update(`sent ${r.sent} of ${lines.length}${r.failures.length ? ` · ${r.failures.length} failed` : ''}`),
    }).catch((error: unknown) => {
      if (!(error instanceof SendInterruptedError)) throw error;
      const cause = toQueueAccessError(error.cause, { action: 'SendMessageBatch', queueUrl: queue.url, endpoint: target.endpoint });
      throw new QueueAccessError(`${cause.message} (${error.report.sent} of ${lines.length} messages were sent before that)`, cause.problem, { cause });
    });
    progress.done();
    for (const f of report.failures) process.stderr.write(`send: line ${f.line}: ${f.code}: ${f.message}\n`);
    console.log(
      `sent ${report.sent} of ${lines.length} messages from ${path.relative(process.cwd(), file) || file} to ${queue.url} ` +
        `in ${report.batches} batch${report.batches === 1 ? '' : 'es'}` +
        `${report.failures.length ? `; ${report.failures.length} refused` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return report.failures.length > 0 ? 1 : 0;
  } finally {
    progress.done();
    client.destroy();
  }
});
