import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sendMessages } from '../../tools/lib/queue/send-messages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { repoRoot, runTool, startScript } from '../support/run-tool.js';
import { sampleBodies } from '../support/samples.js';
import { startSqsEmulator, type EmulatedQueue, type SqsEmulator } from '../support/sqs-emulator.js';

describe('consume stopped by SIGTERM in the middle of a drain', () => {
  let db: TestDatabase;
  let sqs: SqsEmulator;

  before(async () => {
    [db, sqs] = await Promise.all([createTestDatabase('queue_sigterm'), startSqsEmulator()]);
  });
  after(async () => {
    await sqs.stop();
    await db.drop();
  });

  const landedIds = async (table: string) =>
    (await db.pool.query<{ message_id: string }>(`SELECT message_id FROM ${table}`)).rows.map((r) => r.message_id);

  /** Every sent id in exactly one place: a row, a quarantine row, or still in the queue. */
  async function assertNothingLostOrDoubled(queue: EmulatedQueue, sent: string[]): Promise<{ rows: number; queued: number }> {
    const rows = await landedIds('user_logins');
    const quarantined = await landedIds('user_logins_quarantine');
    const queued = await sqs.messageIds(queue);
    const everywhere = [...rows, ...quarantined, ...queued];
    assert.equal(new Set(everywhere).size, everywhere.length, 'no message id in two places, or twice in one');
    assert.deepEqual([...everywhere].sort(), [...sent].sort(), 'every sent message is accounted for, and nothing else');
    return { rows: rows.length, queued: queued.length };
  }

  it('finishes its in-flight batches, exits 0, and loses nothing', async () => {
    // A short visibility timeout: a long poll cut short by the signal may
    // still have taken messages, which then come back after 2 s.
    const queue = await sqs.createQueue('login-queue', { VisibilityTimeout: '2' });
    const sent = await sendMessages(sqs.client, queue.url, sampleBodies.map((body, i) => ({ line: i + 1, body })), { fifo: false });
    assert.equal(sent.sent, 100);
    const sentIds = [...sent.messageIds.values()];
    const env = testEnv(db.adminUrl);
    const flags = ['--queue-url', queue.url, '--endpoint', sqs.endpoint];

    // Small batches on two pollers: a drain of many short invocations to interrupt.
    const { child, output, exited } = startScript(path.join(repoRoot, 'tools', 'consume.ts'), [...flags, '--drain', '--batch-size', '1', '--concurrency', '2'], env);

    let landedAtSignal = 0;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(20)) {
      landedAtSignal = (await landedIds('user_logins')).length;
      if (landedAtSignal >= 5) break;
    }
    assert.ok(landedAtSignal >= 5, `the consumer started writing (stderr: ${output().stderr})`);
    child.kill('SIGTERM');
    const code = await exited;
    const { stdout, stderr } = output();

    assert.equal(code, 0, stderr);
    assert.match(stderr, /SIGTERM: no more receives; finishing \d in-flight batch/);
    assert.match(stdout, /^\d+ received: \d+ written, 0 duplicate, \d quarantined.*, 0 failed; .* messages\/s$/m);
    const stopped = await assertNothingLostOrDoubled(queue, sentIds);
    assert.ok(stopped.queued > 0, 'the signal came in the middle of the drain');

    const rest = await runTool('consume', [...flags, '--drain'], env);
    assert.equal(rest.code, 0, rest.stderr);
    const drained = await assertNothingLostOrDoubled(queue, sentIds);
    assert.deepEqual(drained, { rows: 99, queued: 0 });
  });
});
