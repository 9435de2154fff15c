import path from 'node:path';
import { Progress } from './lib/cli.js';
import { runCommand } from './lib/command-line.js';
import { send as definition } from './lib/commands/queue.js';
import { QueueAccessError, toQueueAccessError } from './lib/queue/errors.js';
import { readMessageFile } from './lib/queue/message-file.js';
import { describeQueue } from './lib/queue/queue-info.js';
import { resolveQueueTarget } from './lib/queue/queue-target.js';
import { SendInterruptedError, sendMessages } from './lib/queue/send-messages.js';
import { createSqsClient } from './lib/queue/sqs-client.js';

/** npm run send: what it does and takes is its definition's (tools/lib/commands/queue.ts), shown by --help. */
runCommand(definition, async ({ options: values, positionals }) => {
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
