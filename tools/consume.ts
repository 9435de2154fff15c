import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../lambda/config.js';
import { LoginEtl } from '../lambda/login-etl.js';
import { Progress } from './lib/cli.js';
import { runCommand } from './lib/command-line.js';
import { consume as definition } from './lib/commands/queue.js';
import { migrateDatabase, prepareLocalEnvironment } from './lib/local-environment.js';
import { quietPowertools } from './lib/quiet-powertools.js';
import { checkOptionsForQueue, consumeOptions, type ConsumeOptions } from './lib/queue/consume-options.js';
import { ConsumeStats } from './lib/queue/consume-stats.js';
import { Consumer } from './lib/queue/poller.js';
import { describeQueue, type QueueInfo } from './lib/queue/queue-info.js';
import { resolveQueueTarget } from './lib/queue/queue-target.js';
import { onShutdownSignal } from './lib/queue/shutdown.js';
import { createSqsClient } from './lib/queue/sqs-client.js';

/** npm run consume: what it does and takes is its definition's (tools/lib/commands/queue.ts), shown by --help. */
runCommand(definition, async ({ options: values }) => {
  const options = consumeOptions(values);
  quietPowertools(values.logs);

  const target = resolveQueueTarget({ queueUrl: values['queue-url'], endpoint: values.endpoint, region: values.region });
  const client = createSqsClient(target);
  try {
    const queue = await describeQueue(client, target);
    checkOptionsForQueue(options, queue);
    const { env, database } = await prepareLocalEnvironment();
    try {
      // One connection per concurrent batch, as each Lambda sandbox holds one.
      env.DB_POOL_MAX = String(options.concurrency);
      const etl = new LoginEtl(loadConfig(env));
      try {
        await migrateDatabase(database.url).catch((error: unknown) => {
          // The URL may hold a password: name the source, not the URL.
          throw new Error(`database (${database.embedded ? 'embedded' : 'DATABASE_URL'}) not usable: ${(error as Error).message}`, { cause: error });
        });
        process.stderr.write(
          `consume: ${queue.url} → ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}; ` +
            `batch size ${options.batchSize}, window ${options.windowSeconds} s, concurrency ${options.concurrency}` +
            `${options.drain ? ', until the queue is empty' : '; Ctrl-C to stop'}\n`,
        );
        await consume(client, queue, target.endpoint, etl, options);
      } finally {
        await etl.close();
      }
    } finally {
      await database.stop();
    }
  } finally {
    client.destroy();
  }
});

/** The consumer with live progress, signal handling and the closing summary. */
async function consume(client: SQSClient, queue: QueueInfo, endpoint: string | undefined, etl: LoginEtl, options: ConsumeOptions): Promise<void> {
  const progress = new Progress();
  const stats = new ConsumeStats();
  const consumer = new Consumer(
    {
      client,
      queue,
      endpoint,
      process: (event) => etl.process(event),
      stats,
      warn: (line) => {
        progress.done();
        process.stderr.write(`consume: ${line}\n`);
      },
    },
    options,
  );
  const restoreSignals = onShutdownSignal((signal) => {
    progress.done();
    const n = consumer.inFlight;
    process.stderr.write(`consume: ${signal}: no more receives; finishing ${n} in-flight batch${n === 1 ? '' : 'es'} (${signal} again to exit now)\n`);
    consumer.stop();
  });
  const ticker = setInterval(() => progress.update(stats.progressLine(consumer.inFlight)), 500);
  try {
    await consumer.run();
  } finally {
    clearInterval(ticker);
    progress.done();
    restoreSignals();
    console.log(stats.summary());
  }
}
