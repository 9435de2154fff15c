import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { runTool } from '../support/run-tool.js';
import { sampleBodies } from '../support/samples.js';
import { startSqsEmulator, type EmulatedQueue, type SqsEmulator } from '../support/sqs-emulator.js';

/**
 * A FIFO queue as deployed: no content-based deduplication, so identical
 * login bodies are distinct messages and the producer's MessageDeduplicationId
 * alone decides what SQS drops (a repeat of an id within 5 minutes).
 */
describe('a FIFO queue without content-based deduplication', () => {
  let db: TestDatabase;
  let sqs: SqsEmulator;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const login = sampleBodies[11] as string;
  const userId = (JSON.parse(login) as { user_id: string }).user_id;
  const rowsOfUser = async () =>
    Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM user_logins WHERE user_id = $1', [userId])).rows[0]?.n);

  before(async () => {
    [db, sqs] = await Promise.all([createTestDatabase('queue_fifo'), startSqsEmulator()]);
    env = testEnv(db.adminUrl);
    dir = mkdtempSync(path.join(tmpdir(), 'login-etl-fifo-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await sqs.stop();
    await db.drop();
  });

  const newQueue = async (name: string) => {
    const queue = await sqs.createQueue(name, { FifoQueue: 'true', ContentBasedDeduplication: 'false' });
    const { Attributes } = await sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ContentBasedDeduplication'] }),
    );
    assert.equal(Attributes?.ContentBasedDeduplication, 'false');
    return queue;
  };
  const drain = async (queue: EmulatedQueue) => {
    const run = await runTool('consume', ['--queue-url', queue.url, '--endpoint', sqs.endpoint, '--drain'], env);
    assert.equal(run.code, 0, run.stderr);
    return run.stdout;
  };

  it('lands two identical logins sent with distinct deduplication ids as two rows', async () => {
    const queue = await newQueue('login-a.fifo');
    const refused = sqs.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: login, MessageGroupId: 'g' }));
    await assert.rejects(refused, /ContentBasedDeduplication|MessageDeduplicationId/, 'a producer must send a deduplication id');

    const entry = () => ({ Id: randomUUID(), MessageBody: login, MessageGroupId: `user-${userId}`, MessageDeduplicationId: randomUUID() });
    const sent = await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: [entry(), entry()] }));
    assert.equal(sent.Successful?.length, 2);
    assert.match(await drain(queue), /^2 received: 2 written, 0 duplicate/m);
    assert.equal(await rowsOfUser(), 2);
  });

  it('npm run send: equal lines are distinct events, a re-send of the same file within 5 minutes is dropped by SQS', async () => {
    await db.pool.query('DELETE FROM user_logins WHERE user_id = $1', [userId]);
    const queue = await newQueue('login-b.fifo');
    const flags = ['--queue-url', queue.url, '--endpoint', sqs.endpoint];
    const fileA = path.join(dir, 'a.jsonl');
    const fileB = path.join(dir, 'b.jsonl');
    writeFileSync(fileA, `${login}\n${login}\n`);
    writeFileSync(fileB, `${login}\n${sampleBodies[13]}\n`);

    const send = async (file: string) => {
      const run = await runTool('send', [file, ...flags], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^sent 2 of 2 messages/m);
    };
    await send(fileA);
    assert.match(await drain(queue), /^2 received: 2 written/m);
    await send(fileA); // accepted by SendMessageBatch, never delivered: same deduplication ids
    assert.match(await drain(queue), /^0 received/m);
    await send(fileB); // the same first line, in another file: another event
    assert.match(await drain(queue), /^2 received: 2 written/m);
    assert.equal(await rowsOfUser(), 3);
  });
});
