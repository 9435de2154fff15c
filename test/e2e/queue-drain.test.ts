import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { describeQueue } from '../../tools/lib/queue/queue-info.js';
import { resolveQueueTarget } from '../../tools/lib/queue/queue-target.js';
import { RECEIVE_EVERYTHING, toSqsRecord } from '../../tools/lib/queue/to-lambda-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { repoRoot, runTool } from '../support/run-tool.js';
import { findPii, sampleBodies } from '../support/samples.js';
import { startSqsEmulator, type SqsEmulator } from '../support/sqs-emulator.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const samplesFile = path.join(repoRoot, 'test', 'fixtures', 'login-messages.jsonl');
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('send + consume --drain against an SQS-compatible server', () => {
  let db: TestDatabase;
  let sqs: SqsEmulator;
  let env: NodeJS.ProcessEnv;
  const count = async (table: string) => Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

  before(async () => {
    [db, sqs] = await Promise.all([createTestDatabase('queue_drain'), startSqsEmulator()]);
    env = testEnv(db.adminUrl);
  });
  after(async () => {
    await sqs.stop();
    await db.drop();
  });

  it('lands the 100 samples as 99 rows and 1 quarantine row, empties the queue, and a second drain adds nothing', async () => {
    const queue = await sqs.createQueue('login-queue');
    const flags = ['--queue-url', queue.url, '--endpoint', sqs.endpoint];
    const startedAt = Date.now();

    const send = await runTool('send', [samplesFile, ...flags], env);
    assert.equal(send.code, 0, send.stderr);
    assert.match(send.stdout, /sent 100 of 100 messages .* in 10 batches/);

    const first = await runTool('consume', [...flags, '--drain'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^100 received: 99 written, 0 duplicate, 1 quarantined \(schema_violation: 1\), 0 failed; \d+ batches from \d+ receives, 100 deleted; .* messages\/s$/m);
    assert.equal(await count('user_logins'), 99);
    assert.equal(await count('user_logins_quarantine'), 1);
    assert.deepEqual(await sqs.messageIds(queue), [], 'every message was deleted');
    const dates = await db.pool.query<{ d: string }>('SELECT DISTINCT create_date::text AS d FROM user_logins');
    assert.ok(
      dates.rows.every((r) => r.d >= utcDate(startedAt) && r.d <= utcDate(Date.now())),
      'create_date comes from the SentTimestamp SQS assigned',
    );

    const second = await runTool('consume', [...flags, '--drain'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^0 received: 0 written/m);
    assert.equal(await count('user_logins'), 99);
    assert.equal(await count('user_logins_quarantine'), 1);

    for (const run of [send, first, second]) assert.deepEqual(findPii(run.stdout + run.stderr), [], 'no plain ip or device id in any output');
  });

  it('shapes records as Lambda does, and deletes a redelivered message that already landed as a duplicate', async () => {
    const queue = await sqs.createQueue('redelivery', { VisibilityTimeout: '1' });
    const bodies = sampleBodies.slice(20, 25);
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((MessageBody, i) => ({
          Id: `m${i}`,
          MessageBody,
          MessageAttributes: { source: { DataType: 'String', StringValue: 'e2e' } },
        })),
      }),
    );
    // A first delivery the consumer did not get to delete (a crash after the write).
    const target = resolveQueueTarget({ queueUrl: queue.url, endpoint: sqs.endpoint });
    const info = await describeQueue(sqs.client, target);
    const { Messages = [] } = await sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, ...RECEIVE_EVERYTHING }));
    assert.equal(Messages.length, 5);
    const records = Messages.map((m) => toSqsRecord(m, info));
    const record = records[0];
    assert.ok(record);
    assert.deepEqual(Object.keys(record).sort(), [
      'attributes', 'awsRegion', 'body', 'eventSource', 'eventSourceARN', 'md5OfBody', 'md5OfMessageAttributes', 'messageAttributes', 'messageId', 'receiptHandle',
    ]);
    assert.equal(record.eventSource, 'aws:sqs');
    assert.equal(record.eventSourceARN, queue.arn);
    assert.equal(record.awsRegion, 'us-east-1');
    assert.equal(record.attributes.ApproximateReceiveCount, '1');
    assert.match(record.attributes.SentTimestamp, /^\d{13}$/);
    assert.match(record.attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
    assert.equal(record.md5OfBody, createHash('md5').update(record.body).digest('hex'));
    assert.deepEqual(record.messageAttributes, { source: { stringValue: 'e2e', stringListValues: [], binaryListValues: [], dataType: 'String' } });

    const etl = new LoginEtl(loadConfig(env));
    try {
      const landed = await etl.process({ Records: records });
      assert.equal(landed.counts.written, 5);
    } finally {
      await etl.close();
    }
    const rows = await count('user_logins');

    // The visibility timeout lapses; the consumer receives all five again.
    const again = await runTool('consume', ['--queue-url', queue.url, '--endpoint', sqs.endpoint, '--drain'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^5 received: 0 written, 5 duplicate, 0 quarantined, 0 failed; .* 5 deleted/m);
    assert.equal(await count('user_logins'), rows);
    assert.deepEqual(await sqs.messageIds(queue), []);
  });
});
