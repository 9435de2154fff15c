import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { ORIGINAL_MESSAGE_ID_ATTRIBUTE, ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE } from '../../lambda/pipeline/idempotency-key.js';
import { describeQueue } from '../../tools/lib/queue/queue-info.js';
import { resolveQueueTarget } from '../../tools/lib/queue/queue-target.js';
import { RECEIVE_EVERYTHING, toSqsRecord } from '../../tools/lib/queue/to-lambda-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { runTool } from '../support/run-tool.js';
import { sampleBodies } from '../support/samples.js';
import { startSqsEmulator, type EmulatedQueue, type SqsEmulator } from '../support/sqs-emulator.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const MAX_RECEIVE_COUNT = 2;

describe('npm run redrive keeps a message idempotent', () => {
  let db: TestDatabase;
  let sqs: SqsEmulator;
  before(async () => {
    [db, sqs] = await Promise.all([createTestDatabase('queue_redrive_idem'), startSqsEmulator()]);
  });
  after(async () => {
    await sqs.stop();
    await db.drop();
  });

  it('a message that committed but was never deleted lands no second row after one redrive, or two', async () => {
    const { queue, dlq } = await sqs.createQueueWithDlq('login-queue', { maxReceiveCount: MAX_RECEIVE_COUNT, visibilityTimeout: 1 });
    const info = await describeQueue(sqs.client, resolveQueueTarget({ queueUrl: queue.url, endpoint: sqs.endpoint }));
    const env = testEnv(db.adminUrl);
    const up = new LoginEtl(loadConfig(env));
    const down = new LoginEtl(loadConfig({ ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DB_CONNECT_TIMEOUT_MS: '500' }));
    try {
      const { MessageId: original } = await sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: sampleBodies[7] as string }));
      assert.ok(original);

      // Committed on every receive, deleted on none (the delete kept failing): SQS dead-letters it.
      const first = await receiveOne(sqs, queue);
      assert.equal((await up.process({ Records: [toSqsRecord(first, info)] })).counts.written, 1);
      const second = await receiveOne(sqs, queue);
      assert.equal((await up.process({ Records: [toSqsRecord(second, info)] })).counts.duplicate, 1);
      await untilDeadLettered(sqs, queue, dlq);
      assert.deepEqual(await sqs.messageIds(dlq), [original]);

      const redriven = await redriveAndReceive(sqs, queue);
      assert.notEqual(redriven.MessageId, original, 'a redriven message is a new message');
      assert.equal(redriven.MessageAttributes?.[ORIGINAL_MESSAGE_ID_ATTRIBUTE]?.StringValue, original);
      const firstSent = first.Attributes?.SentTimestamp;
      assert.ok(firstSent);
      assert.equal(redriven.MessageAttributes?.[ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE]?.StringValue, firstSent);

      // The database is down now: the response names the event's message id, not the key.
      const failed = await down.process({ Records: [toSqsRecord(redriven, info)] });
      assert.deepEqual(failed.response.batchItemFailures, [{ itemIdentifier: redriven.MessageId }]);
      await receiveOne(sqs, queue);
      await untilDeadLettered(sqs, queue, dlq);

      // A second redrive keeps the first original id, not the first redrive's.
      const again = await redriveAndReceive(sqs, queue);
      assert.notEqual(again.MessageId, redriven.MessageId);
      assert.equal(again.MessageAttributes?.[ORIGINAL_MESSAGE_ID_ATTRIBUTE]?.StringValue, original);
      assert.equal(again.MessageAttributes?.[ORIGINAL_SENT_TIMESTAMP_ATTRIBUTE]?.StringValue, firstSent);
      // Redriven days later, as a DLQ often is: its own SentTimestamp falls on another
      // date, hence in another partition; the row key must still be the first one's.
      const late = toSqsRecord(again, info);
      late.attributes.SentTimestamp = String(Number(late.attributes.SentTimestamp) + 3 * 86_400_000);
      const landed = await up.process({ Records: [late] });
      assert.deepEqual(landed.response, { batchItemFailures: [] });
      assert.deepEqual(landed.counts, { written: 0, duplicate: 1, quarantined: 0, failed: 0 });
      await sqs.client.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: again.ReceiptHandle }));

      const rows = await db.pool.query(`SELECT message_id, (extract(epoch FROM sent_at) * 1000)::bigint::text AS sent FROM user_logins`);
      assert.deepEqual(rows.rows, [{ message_id: original, sent: firstSent }]);
      assert.deepEqual(await sqs.messageIds(queue), []);
      assert.deepEqual(await sqs.messageIds(dlq), []);
    } finally {
      await Promise.all([up.close(), down.close()]);
    }
  });

  async function redriveAndReceive(emulator: SqsEmulator, queue: EmulatedQueue): Promise<Message> {
    const run = await runTool('redrive', ['--to', queue.url, '--endpoint', emulator.endpoint], {});
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^moved 1 message /m);
    return receiveOne(emulator, queue);
  }
});

async function receiveOne(sqs: SqsEmulator, queue: EmulatedQueue): Promise<Message> {
  const { Messages = [] } = await sqs.client.send(
    new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 5, ...RECEIVE_EVERYTHING }),
  );
  assert.equal(Messages.length, 1, 'one message received');
  return Messages[0] as Message;
}

/** Receives until SQS has moved the message (its receive count spent) to the DLQ. */
async function untilDeadLettered(sqs: SqsEmulator, queue: EmulatedQueue, dlq: EmulatedQueue): Promise<void> {
  for (let i = 0; i < 20 && (await sqs.messageIds(dlq)).length === 0; i += 1) {
    await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }));
    await sleep(250);
  }
  assert.equal((await sqs.messageIds(dlq)).length, 1, 'dead-lettered');
}

