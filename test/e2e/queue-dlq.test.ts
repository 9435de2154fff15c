import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { ConsumeStats } from '../../tools/lib/queue/consume-stats.js';
import { Consumer } from '../../tools/lib/queue/poller.js';
import { describeQueue } from '../../tools/lib/queue/queue-info.js';
import { resolveQueueTarget } from '../../tools/lib/queue/queue-target.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { runTool } from '../support/run-tool.js';
import { findPii, sampleBodies } from '../support/samples.js';
import { startSqsEmulator, type SqsEmulator } from '../support/sqs-emulator.js';
import { TcpProxy } from '../../tools/lib/tcp-proxy.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const MAX_RECEIVE_COUNT = 2;

describe('a message that keeps failing transiently', () => {
  let db: TestDatabase;
  let sqs: SqsEmulator;
  let proxy: TcpProxy;

  before(async () => {
    [db, sqs] = await Promise.all([createTestDatabase('queue_dlq'), startSqsEmulator()]);
    const target = new URL(db.adminUrl);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
  });
  after(async () => {
    await proxy.stop();
    await sqs.stop();
    await db.drop();
  });

  it('ends in the DLQ after maxReceiveCount, and lands once redriven with the database back', async () => {
    const { queue, dlq } = await sqs.createQueueWithDlq('login-queue', { maxReceiveCount: MAX_RECEIVE_COUNT, visibilityTimeout: 1 });
    const body = sampleBodies[30] as string;
    const userId = (JSON.parse(body) as { user_id: string }).user_id;
    const { MessageId } = await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    assert.ok(MessageId);
    // The consumer's database goes through the proxy; it is down for the first part.
    const env = testEnv(proxy.url(db.adminUrl), { DB_CONNECT_TIMEOUT_MS: '1000' });
    await proxy.stop();

    // The consumer the CLI runs, in this process: its CLI would refuse to
    // start (it migrates first) with the database unreachable.
    const target = resolveQueueTarget({ queueUrl: queue.url, endpoint: sqs.endpoint });
    const etl = new LoginEtl(loadConfig(env));
    const stats = new ConsumeStats();
    const warnings: string[] = [];
    try {
      const consumer = new Consumer(
        { client: sqs.client, queue: await describeQueue(sqs.client, target), endpoint: sqs.endpoint, process: (e) => etl.process(e), stats, warn: (l) => warnings.push(l) },
        { batchSize: 10, windowSeconds: 0, concurrency: 1, drain: true },
      );
      await consumer.run();
    } finally {
      await etl.close();
    }
    assert.equal(stats.received, MAX_RECEIVE_COUNT, 'received once per allowed receive, then SQS moved it');
    assert.deepEqual(stats.counts, { written: 0, duplicate: 0, quarantined: 0, failed: MAX_RECEIVE_COUNT });
    assert.equal(stats.deleted, 0);
    assert.deepEqual(await sqs.messageIds(queue), []);
    assert.deepEqual(await sqs.messageIds(dlq), [MessageId]);
    assert.match(warnings[0] ?? '', /all 1 records of a batch failed .*ECONNREFUSED.*nothing deleted, they return to the queue in 2 s/);
    assert.deepEqual(findPii(warnings.join('\n')), []);

    await proxy.restart();
    const redrive = await runTool('redrive', ['--to', queue.url, '--endpoint', sqs.endpoint], env);
    assert.equal(redrive.code, 0, redrive.stderr);
    assert.match(redrive.stdout, /^moved 1 message from \S+login-queue-dlq to \S+login-queue$/m);
    assert.deepEqual(await sqs.messageIds(dlq), []);
    const redriven = await sqs.messageIds(queue);
    assert.equal(redriven.length, 1);
    assert.notEqual(redriven[0], MessageId, 'a moved message is a new message, as with SQS redrive');

    const drain = await runTool('consume', ['--queue-url', queue.url, '--endpoint', sqs.endpoint, '--drain'], env);
    assert.equal(drain.code, 0, drain.stderr);
    assert.match(drain.stdout, /^1 received: 1 written, 0 duplicate, 0 quarantined, 0 failed/m);
    const rows = await db.pool.query('SELECT message_id FROM user_logins WHERE user_id = $1', [userId]);
    assert.deepEqual(rows.rows, [{ message_id: MessageId }], 'stored under its first message id, carried by the redrive');
    assert.deepEqual(await sqs.messageIds(queue), []);
  });
});
