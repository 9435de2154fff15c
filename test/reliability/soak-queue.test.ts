import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sendMessages } from '../../tools/lib/queue/send-messages.js';
import { ConsumerProcess } from '../support/chaos/consumer-process.js';
import { tallyLogs } from '../support/chaos/consumer-logs.js';
import { functionConnections } from '../support/chaos/db-faults.js';
import { generateMessages } from '../support/chaos/messages.js';
import { NeedleSet } from '../support/chaos/pii-needles.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { fullScale, scaled } from '../support/scale.js';
import { startSqsEmulator, type SqsEmulator } from '../support/sqs-emulator.js';

const CONCURRENCY = 4;

/**
 * The local queue mode over many messages: `npm run consume` (a separate
 * process, as users run it) drains a queue on the SQS emulator into a real
 * Postgres with 4 pollers. No faults: this is about loss, throughput, the
 * consumer's memory over time and the connections it holds.
 */
describe('soak: the queue mode drains a large queue at concurrency 4', () => {
  let db: TestDatabase;
  let sqs: SqsEmulator;

  before(async () => {
    [db, sqs] = await Promise.all([createTestDatabase('soak_queue'), startSqsEmulator()]);
  });
  after(async () => {
    await sqs.stop();
    await db.drop();
  });

  it('loses nothing, keeps RSS and connections bounded, and reports its figures', { timeout: scaled(180_000, 3_600_000) }, async (t) => {
    const count = scaled(2_000, 100_000);
    const messages = generateMessages({ seed: 20_240_909, count, badRatio: 0.05 });
    const queue = await sqs.createQueue('soak-queue', { VisibilityTimeout: '60' });

    const sendStarted = performance.now();
    const sent = await sendMessages(sqs.client, queue.url, messages.map((m) => ({ line: m.index + 1, body: m.body })), { fifo: false });
    const sendSeconds = (performance.now() - sendStarted) / 1000;
    assert.equal(sent.sent, count);
    assert.deepEqual(sent.failures, []);
    const idOf = (index: number) => sent.messageIds.get(index + 1) as string;

    const consumer = new ConsumerProcess(
      'soak consumer',
      ['--queue-url', queue.url, '--endpoint', sqs.endpoint, '--drain', '--concurrency', String(CONCURRENCY), '--batch-size', '100', '--window', '1', '--logs'],
      testEnv(db.adminUrl),
    );
    // Every 1 s (short) or 2 s (full): the consumer's RSS, the function's connections, rows landed.
    const samples: { at: number; rssMb: number; connections: number; landed: number }[] = [];
    const sampleEvery = scaled(1_000, 2_000);
    let sampling = true;
    const sampler = (async () => {
      await consumer.started.catch(() => undefined);
      while (sampling) {
        const rssMb = consumer.rssMb();
        const [connections, landed] = await Promise.all([
          functionConnections(db.pool, db.name),
          db.pool
            .query<{ n: string }>('SELECT (SELECT count(*) FROM user_logins) + (SELECT count(*) FROM user_logins_quarantine) AS n')
            .then((r) => Number(r.rows[0]?.n ?? 0)),
        ]);
        if (rssMb !== undefined) samples.push({ at: (Date.now() - consumer.startedAt) / 1000, rssMb, connections, landed });
        await sleep(sampleEvery);
      }
    })();
    const exit = await consumer.exited;
    sampling = false;
    await sampler;
    assert.equal(exit.code, 0, consumer.stderr.slice(-3000));

    // Zero loss: every message id in exactly one table, the right one, and the queue empty.
    const rows = (await db.pool.query<{ message_id: string; user_id: string }>('SELECT message_id, user_id FROM user_logins')).rows;
    const quarantined = (await db.pool.query<{ message_id: string }>('SELECT message_id FROM user_logins_quarantine')).rows;
    const inQueue = await sqs.messageIds(queue);
    const home = new Map<string, string>();
    const twice: string[] = [];
    for (const [id, where] of [...rows.map((r) => [r.message_id, 'user_logins'] as const), ...quarantined.map((r) => [r.message_id, 'quarantine'] as const)]) {
      if (home.has(id)) twice.push(id);
      home.set(id, where);
    }
    assert.deepEqual(twice, [], 'no message id stored twice');
    assert.equal(inQueue.length, 0, 'the queue is empty');
    const wrong: string[] = [];
    for (const m of messages) {
      const expected = m.kind === 'good' ? 'user_logins' : 'quarantine';
      if (home.get(idOf(m.index)) !== expected) wrong.push(`#${m.index} (${m.kind}) in ${home.get(idOf(m.index)) ?? 'nowhere'}`);
    }
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} messages are not where they belong`);
    assert.equal(home.size, count, 'nothing stored that was not sent');
    const byId = new Map(messages.map((m) => [idOf(m.index), m]));
    assert.ok(rows.every((r) => byId.get(r.message_id)?.userId === r.user_id), 'each row holds its own message');

    // Logs: counts agree, and no plain ip or device id in them.
    const logs = tallyLogs(`${consumer.stdout}\n${consumer.stderr}`);
    const needles = new NeedleSet(messages.flatMap((m) => m.pii));
    assert.deepEqual(needles.find(consumer.stdout + consumer.stderr), [], 'no plain PII in the consumer output');

    // Figures.
    const seconds = (Date.now() - consumer.startedAt) / 1000;
    const summary = consumer.summary ?? '(no summary)';
    const rate = /([\d.]+) messages\/s$/.exec(summary)?.[1];
    const rss = samples.map((s) => s.rssMb);
    const maxConnections = Math.max(0, ...samples.map((s) => s.connections));
    const pickEvenly = <T>(list: T[], n: number) => (list.length <= n ? list : Array.from({ length: n }, (_, i) => list[Math.round((i * (list.length - 1)) / (n - 1))] as T));
    t.diagnostic(`${count} messages (${count - rows.length} bad → quarantine); sent in ${sendSeconds.toFixed(1)} s (${Math.round(count / sendSeconds)} msg/s)`);
    t.diagnostic(`consume --drain --concurrency ${CONCURRENCY} --batch-size 100 --window 1: ${summary}`);
    t.diagnostic(`process wall time ${seconds.toFixed(1)} s incl. start-up; ${logs.batches} batches; ${logs.duplicate} duplicate, ${logs.failed} failed, ${logs.connectionRetried} connection retries`);
    t.diagnostic(`over time (t since the process started: consumer RSS, function connections, rows landed, rate since the previous line):`);
    let previous = { at: 0, landed: 0 };
    for (const sample of pickEvenly(samples, 12)) {
      const rate = (sample.landed - previous.landed) / Math.max(0.001, sample.at - previous.at);
      t.diagnostic(`  t=${sample.at.toFixed(0)} s: RSS ${sample.rssMb.toFixed(0)} MB, ${sample.connections} connections, ${sample.landed} landed, ${Math.round(rate)} msg/s`);
      previous = sample;
    }
    t.diagnostic(`RSS max ${Math.max(...rss).toFixed(0)} MB; function connections (pg_stat_activity, application_name login-etl) max ${maxConnections}, pool max ${CONCURRENCY}`);
    assert.ok(rate !== undefined, summary);
    assert.ok(maxConnections <= CONCURRENCY, `at most one connection per poller (${maxConnections})`);
    assert.equal(logs.failed, 0, 'no failures without faults');

    // Memory: after warm-up (the first quarter) RSS must not keep climbing.
    // A leak of 1 KB per message would add ~100 MB over the full run.
    if (rss.length >= 8) {
      const warm = rss.slice(Math.floor(rss.length / 4), Math.floor(rss.length / 2));
      const late = rss.slice(Math.floor((rss.length * 3) / 4));
      const growth = Math.max(...late) - Math.max(...warm);
      t.diagnostic(`RSS growth from the second quarter to the last: ${growth.toFixed(0)} MB`);
      assert.ok(growth < (fullScale ? 100 : 60), `consumer RSS grew ${growth.toFixed(0)} MB after warm-up`);
    } else {
      t.diagnostic(`RSS growth not judged: ${rss.length} samples (at least 8 needed; npm run test:chaos runs long enough)`);
    }
  });
});
