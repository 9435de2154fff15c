import { parseCliArgs, Progress, runCli, UsageError } from './lib/cli.js';
import { sqsCall } from './lib/queue/errors.js';
import { describeQueue, queueUrlOfArn } from './lib/queue/queue-info.js';
import { queueTargetOptions, resolveQueueTarget, withQueueUrl } from './lib/queue/queue-target.js';
import { redriveMessages } from './lib/queue/redrive-messages.js';
import { createSqsClient } from './lib/queue/sqs-client.js';

const USAGE = 'usage: npm run redrive -- [--from DLQ_URL] [--to URL] [--endpoint URL] [--region R]';

const tallyText = (m: Map<string, number>) => [...m].map(([code, n]) => `${code}: ${n}`).join(', ');

/**
 * npm run redrive: moves the messages of the dead-letter queue back to the
 * source queue. --to defaults to the login queue (SQS_QUEUE_URL, else the
 * LocalStack URL); --from to the DLQ named in that queue's RedrivePolicy.
 */
runCli('redrive', async () => {
  const { values, positionals } = parseCliArgs({
    from: { type: 'string' },
    to: { type: 'string' },
    ...queueTargetOptions,
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(USAGE);
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
