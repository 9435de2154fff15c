import { Progress, UsageError } from './lib/cli.js';
import { runCommand } from './lib/command-line.js';
import { redrive as definition } from './lib/commands/queue.js';
import { sqsCall } from './lib/queue/errors.js';
import { describeQueue, queueUrlOfArn } from './lib/queue/queue-info.js';
import { resolveQueueTarget, withQueueUrl } from './lib/queue/queue-target.js';
import { redriveMessages } from './lib/queue/redrive-messages.js';
import { createSqsClient } from './lib/queue/sqs-client.js';

const tallyText = (m: Map<string, number>) => [...m].map(([code, n]) => `${code}: ${n}`).join(', ');

/** npm run redrive: what it does and takes is its definition's (tools/lib/commands/queue.ts), shown by --help. */
runCommand(definition, async ({ options: values }) => {
  const target = resolveQueueTarget({ queueUrl: values.to, endpoint: values.endpoint, region: values.region });
  const client = createSqsClient(target);
  const progress = new Progress();
  try {
    const to = await describeQueue(client, target);
    let fromUrl = values.from;
    if (fromUrl === undefined) {
      if (!to.deadLetter) throw new UsageError(`${to.url} has no RedrivePolicy naming a dead-letter queue: pass --from DLQ_URL`);
      fromUrl = await queueUrlOfArn(client, to.deadLetter.arn, target);
    }
    const from = await describeQueue(client, withQueueUrl(target, fromUrl, '--from'));
    if (from.arn === to.arn) throw new UsageError('--from and --to name the same queue');
    if (from.fifo !== to.fifo) throw new UsageError(`${from.name} and ${to.name} must both be FIFO or both standard queues`);

    const report = await sqsCall({ action: 'redrive', queueUrl: from.url, endpoint: target.endpoint }, () =>
      redriveMessages(client, from, to, (r) => progress.update(`moved ${r.moved}`)),
    );
    progress.done();
    if (report.failed.size > 0) process.stderr.write(`redrive: not sent, left in ${from.name}: ${tallyText(report.failed)}\n`);
    if (report.notDeleted.size > 0) {
      process.stderr.write(`redrive: sent but still in ${from.name} (a later redrive sends them again; the pipeline absorbs them as duplicates): ${tallyText(report.notDeleted)}\n`);
    }
    console.log(`moved ${report.moved} message${report.moved === 1 ? '' : 's'} from ${from.url} to ${to.url}`);
    return report.failed.size > 0 || report.notDeleted.size > 0 ? 1 : 0;
  } finally {
    progress.done();
    client.destroy();
  }
});
