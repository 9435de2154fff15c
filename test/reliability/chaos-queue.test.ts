import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sendMessages } from '../../tools/lib/queue/send-messages.js';
import { ConsumerProcess } from '../support/chaos/consumer-process.js';
import { emptyTally, tallyLogs, type LogTally } from '../support/chaos/consumer-logs.js';
import { addPoison, holdTableLock, installChaosHooks, setFailCommit, terminateFunctionBackends, withSessionSettings } from '../support/chaos/db-faults.js';
import { generateMessages, type SyntheticMessage } from '../support/chaos/messages.js';
import { NeedleSet, scanDatabaseForNeedles } from '../support/chaos/pii-needles.js';
import { receiveAll } from '../support/chaos/queue-readout.js';
import { SqsChaosProxy } from '../support/chaos/sqs-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { scanDatabaseForPii } from '../support/pii-scan.js';
import { scaled } from '../support/scale.js';
import { startSqsEmulator, type EmulatedQueue, type SqsEmulator } from '../support/sqs-emulator.js';
import { TcpProxy } from '../../tools/lib/tcp-proxy.js';

/**
 * Chaos through the local queue mode: `npm run consume` processes (4
 * pollers, Lambda's batch of 10) drain an SQS emulator queue with a DLQ into
 * a real Postgres while a producer keeps sending and faults are injected one
 * after the other. Afterwards every message id sent must be in exactly one
 * place (a user_logins row, a quarantine row, the DLQ, the queue), in the
 * place its kind calls for, with no plain PII anywhere. docs/reliability.md
 * describes the faults and the figures of a full run.
 */

const MAX_RECEIVE_COUNT = 5;
const VISIBILITY_TIMEOUT_SECONDS = 5;
const CONCURRENCY = 4;
const STATEMENT_TIMEOUT_MS = 1_500;
const IDLE_SESSION_TIMEOUT = '1s';

const COUNT = scaled(1_500, 10_000);
/** Valid messages the database refuses everywhere: they must end in the DLQ, and only they. */
const POISON = scaled(0, 20);
const BAD_RATIO = 0.05;
/** Every 33rd delete is swallowed: ~3% of messages are delivered again after they landed. */
const SWALLOW_DELETE_EVERY = 33;
const CYCLES = scaled(1, 3);
const GAP_MS = scaled(1_500, 4_000);

type FaultKind =
  | 'database-down'
  | 'terminate-backends'
  | 'kill-before-delete'
  | 'statement-timeout'
  | 'failed-commit'
  | 'frozen-stale-connection'
  | 'sqs-errors';

const CYCLE: readonly FaultKind[] = [
  'database-down',
  'terminate-backends',
  'kill-before-delete',
  'statement-timeout',
  'failed-commit',
  'frozen-stale-connection',
  'sqs-errors',
];

const DURATION_MS: Record<FaultKind, number> = {
  'database-down': scaled(2_000, 3_000),
  'terminate-backends': 0,
  'kill-before-delete': 0,
  'statement-timeout': scaled(2_500, 3_000),
  'failed-commit': scaled(1_500, 2_500),
  'frozen-stale-connection': scaled(2_500, 3_500),
  'sqs-errors': scaled(1_500, 2_000),
};

interface FaultRecord {
  kind: FaultKind;
  atSeconds: number;
  effect: string;
}

interface RunResult {
  messages: SyntheticMessage[];
  /** Message id by message index. */
  ids: Map<number, string>;
  consumers: ConsumerProcess[];
  unexpectedExits: string[];
  faults: FaultRecord[];
  seconds: number;
  produceSeconds: number;
  logs: LogTally;
  terminated: number;
}

describe('chaos: the queue mode under database, process and SQS faults', () => {
  let db: TestDatabase;
  let sqs: SqsEmulator;
  let dbProxy: TcpProxy;
  let sqsProxy: SqsChaosProxy;
  let queue: EmulatedQueue;
  let dlq: EmulatedQueue;
  let current: ConsumerProcess | undefined;

  before(async () => {
    [db, sqs] = await Promise.all([createTestDatabase('chaos_queue'), startSqsEmulator()]);
    await installChaosHooks(db.pool);
    const target = new URL(db.adminUrl);
    dbProxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await dbProxy.start();
    sqsProxy = new SqsChaosProxy(sqs.endpoint);
    await sqsProxy.start();
    ({ queue, dlq } = await sqs.createQueueWithDlq('chaos-queue', { maxReceiveCount: MAX_RECEIVE_COUNT, visibilityTimeout: VISIBILITY_TIMEOUT_SECONDS }));
  });

  after(async () => {
    current?.signal('SIGKILL');
    await current?.exited;
    await sqsProxy.stop();
    await dbProxy.stop();
    await sqs.stop();
    await db.drop();
  });

  async function run(): Promise<RunResult> {
    const started = Date.now();
    const at = () => (Date.now() - started) / 1000;
    const messages = generateMessages({ seed: 9_009, count: COUNT, badRatio: BAD_RATIO, poison: POISON });
    const ids = new Map<number, string>();
    const send = async (list: readonly SyntheticMessage[]) => {
      const report = await sendMessages(sqs.client, queue.url, list.map((m) => ({ line: m.index + 1, body: m.body })), { fifo: false });
      assert.deepEqual(report.failures, []);
      for (const [line, id] of report.messageIds) ids.set(line - 1, id);
    };

    // Poison first, so the database knows its ids before any consumer sees them.
    const poison = messages.filter((m) => m.kind === 'poison');
    await send(poison);
    await addPoison(db.pool, poison.map((m) => ids.get(m.index) as string));

    // The consumer's database path: through the cuttable TCP proxy, sessions
    // closed by the server after 1 s idle, statements cancelled after 1.5 s.
    const env = testEnv(withSessionSettings(dbProxy.url(db.adminUrl), { idle_session_timeout: IDLE_SESSION_TIMEOUT }), {
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
    const args = ['--queue-url', queue.url, '--endpoint', sqsProxy.endpoint, '--drain', '--concurrency', String(CONCURRENCY), '--logs'];
    const consumers: ConsumerProcess[] = [];
    const unexpectedExits: string[] = [];
    const killed = new Set<ConsumerProcess>();
    const startConsumer = async () => {
      const c = new ConsumerProcess(`consumer ${consumers.length + 1}`, args, env);
      consumers.push(c);
      current = c;
      await c.started;
      return c;
    };
    /** A consumer that ended by itself is replaced: a drain that found the queue empty early, or a crash (recorded). */
    const ensureConsumer = async (): Promise<ConsumerProcess> => {
      if (current?.running) return current;
      if (current?.exit && current.exit.code !== 0 && !killed.has(current)) {
        // The error, without the JSON log lines and the stack frames around it.
        const why = current.stderr
          .split('\n')
          .filter((l) => !/^\s*(\^|$)/.test(l) && !l.startsWith('{') && !l.startsWith('consume: ') && !/^\s+at /.test(l))
          .slice(0, 6)
          .join('\n');
        unexpectedExits.push(`${current.label} exited ${current.exit.code ?? current.exit.signal}: ${why}`);
      }
      return startConsumer();
    };

    sqsProxy.swallowDeleteEvery(SWALLOW_DELETE_EVERY);
    await startConsumer();

    // The producer: the rest of the messages at a steady rate over the fault schedule.
    const schedule = Array.from({ length: CYCLES }, () => CYCLE).flat();
    const estimatedMs = schedule.reduce((ms, kind) => ms + GAP_MS + DURATION_MS[kind] + (kind === 'kill-before-delete' ? 3_000 : 0), 0);
    const rest = messages.filter((m) => m.kind !== 'poison');
    const produceStarted = Date.now();
    const producer = (async () => {
      const tickMs = 250;
      const perTick = Math.ceil(rest.length / Math.max(1, estimatedMs / tickMs));
      for (let i = 0; i < rest.length; i += perTick) {
        const tick = Date.now();
        await send(rest.slice(i, i + perTick));
        await sleep(Math.max(0, tickMs - (Date.now() - tick)));
      }
    })();
    producer.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

    const faults: FaultRecord[] = [];
    let terminated = 0;
    const inject = async (kind: FaultKind): Promise<string> => {
      const ms = DURATION_MS[kind];
      switch (kind) {
        case 'database-down':
          // Postgres "stopped": open connections reset, new ones refused; then back.
          await dbProxy.stop();
          await sleep(ms);
          await dbProxy.restart();
          return `down ${ms} ms`;
        case 'terminate-backends': {
          // Idle connections close after 1 s: after a pause there may be none for a moment.
          let n = 0;
          for (let tries = 0; n === 0 && tries < 20; tries += 1) {
            n = await terminateFunctionBackends(db.pool, db.name);
            if (n === 0) await sleep(250);
          }
          terminated += n;
          return `${n} backend(s) terminated`;
        }
        case 'kill-before-delete': {
          const victim = await ensureConsumer();
          const held = sqsProxy.holdDeletes();
          const got = await Promise.race([held.then(() => true), sleep(15_000, undefined, { ref: false }).then(() => false)]);
          if (!got) {
            sqsProxy.dropHeld();
            return 'skipped: no delete came within 15 s';
          }
          await sleep(300); // let the other pollers commit and block on their deletes too
          killed.add(victim);
          victim.signal('SIGKILL');
          await victim.exited;
          const dropped = sqsProxy.dropHeld();
          await startConsumer();
          return `SIGKILL with ${dropped} committed message(s) undeleted; new consumer started`;
        }
        case 'statement-timeout':
          await holdTableLock(db.adminUrl, ms);
          return `ACCESS EXCLUSIVE on user_logins for ${ms} ms (statement_timeout ${STATEMENT_TIMEOUT_MS} ms)`;
        case 'failed-commit':
          await setFailCommit(db.pool, true);
          await sleep(ms);
          await setFailCommit(db.pool, false);
          return `commits refused (40001) for ${ms} ms`;
        case 'frozen-stale-connection': {
          const victim = await ensureConsumer();
          victim.signal('SIGSTOP');
          await sleep(ms);
          victim.signal('SIGCONT');
          return `SIGSTOP ${ms} ms (idle_session_timeout ${IDLE_SESSION_TIMEOUT})`;
        }
        case 'sqs-errors':
          sqsProxy.failFor(['ReceiveMessage', 'DeleteMessageBatch', 'ChangeMessageVisibilityBatch'], ms);
          await sleep(ms);
          return `HTTP 500 on receive/delete/visibility for ${ms} ms`;
      }
    };
    for (const kind of schedule) {
      await sleep(GAP_MS);
      await ensureConsumer();
      const atSeconds = at();
      faults.push({ kind, atSeconds, effect: await inject(kind) });
    }
    await producer;
    const produceSeconds = (Date.now() - produceStarted) / 1000;

    // The end: the consumer drains what is left (back-offs, swallowed
    // deletes coming back, poison on its way to the DLQ) and exits 0.
    const deadline = Date.now() + scaled(120_000, 600_000);
    for (;;) {
      const c = await ensureConsumer();
      const exit = await Promise.race([c.exited, sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false }).then(() => undefined)]);
      if (exit === undefined) throw new Error(`the final drain did not end in time: ${c.stderr.slice(-1000)}`);
      if (exit.code !== 0) continue; // recorded by ensureConsumer
      if ((await sqs.inspect(queue)).length === 0) break;
    }
    current = undefined;

    const logs = emptyTally();
    // Powertools writes INFO to stdout, WARN and ERROR to stderr.
    for (const c of consumers) tallyLogs(`${c.stdout}\n${c.stderr}`, logs);
    const outDir = process.env.LOGIN_ETL_CHAOS_OUT;
    if (outDir) {
      // The consumers' own output, for a post-mortem: counts and message ids only.
      mkdirSync(outDir, { recursive: true });
      for (const [i, c] of consumers.entries()) {
        writeFileSync(path.join(outDir, `consumer-${i + 1}.stdout`), c.stdout);
        writeFileSync(path.join(outDir, `consumer-${i + 1}.stderr`), c.stderr);
      }
    }
    return { messages, ids, consumers, unexpectedExits, faults, seconds: at(), produceSeconds, logs, terminated };
  }

  it(`${COUNT} messages with ${BAD_RATIO * 100}% bad bodies, redeliveries and faults: each in exactly one place`, { timeout: scaled(240_000, 1_800_000) }, async (t) => {
    const r = await run();
    const byId = new Map<string, SyntheticMessage>();
    for (const m of r.messages) byId.set(r.ids.get(m.index) as string, m);
    assert.equal(byId.size, COUNT, 'every message sent, each with its own id');

    // Where everything is now.
    const rows = (await db.pool.query<{ message_id: string; user_id: string }>('SELECT message_id, user_id FROM user_logins')).rows;
    const quarantine = (await db.pool.query<{ message_id: string; reason: string }>('SELECT message_id, reason FROM user_logins_quarantine')).rows;
    const inQueue = await sqs.inspect(queue);
    const dlqHeld = await sqs.inspect(dlq);
    const dlqRead = await receiveAll(sqs.client, dlq.url);

    const places = new Map<string, string[]>();
    const put = (id: string, place: string) => places.set(id, [...(places.get(id) ?? []), place]);
    for (const row of rows) put(row.message_id, 'user_logins');
    for (const row of quarantine) put(row.message_id, 'quarantine');
    for (const m of dlqHeld) put(m.messageId, 'dlq');
    for (const m of inQueue) put(m.messageId, 'queue');

    // The invariant: every id sent in exactly one place, and nothing else anywhere.
    const notExactlyOnce = [...byId.keys()].filter((id) => (places.get(id) ?? []).length !== 1).map((id) => `${id}: [${(places.get(id) ?? []).join(', ')}]`);
    assert.deepEqual(notExactlyOnce.slice(0, 10), [], `${notExactlyOnce.length} message ids are not in exactly one place`);
    const unknown = [...places.keys()].filter((id) => !byId.has(id));
    assert.deepEqual(unknown, [], 'nothing stored or queued that was not sent');
    // No duplicate rows: a message written twice under two ids would share its user_id.
    const users = new Set(rows.map((row) => row.user_id));
    assert.equal(users.size, rows.length, 'no duplicate rows');
    assert.ok(rows.every((row) => byId.get(row.message_id)?.userId === row.user_id), 'each row holds its own message');

    // And each in the place its kind calls for: a transient fault never
    // quarantined a good message, a bad one was never written.
    const expected = (m: SyntheticMessage) => (m.kind === 'good' ? 'user_logins' : m.kind === 'poison' ? 'dlq' : 'quarantine');
    const misplaced = [...byId].filter(([id, m]) => places.get(id)?.[0] !== expected(m)).map(([id, m]) => `${m.kind} ${id} in ${places.get(id)?.[0] ?? 'nowhere'}`);
    assert.deepEqual(misplaced.slice(0, 10), [], `${misplaced.length} messages are not where they belong`);
    const reasons = new Map(quarantine.map((q) => [q.message_id, q.reason]));
    const wrongReason = [...byId]
      .filter(([id, m]) => reasons.has(id) && reasons.get(id) !== (m.kind === 'invalid_json' ? 'invalid_json' : 'schema_violation'))
      .map(([id, m]) => `${m.kind}: ${reasons.get(id)}`);
    assert.deepEqual(wrongReason, [], 'quarantined for the reason of its kind, never rejected_by_database');
    assert.equal(inQueue.length, 0, 'the queue is drained');

    // Tally.
    const receives = [...sqsProxy.stats.receives.values()];
    const totalReceives = receives.reduce((a, b) => a + b, 0);
    const deliveredAgain = receives.filter((n) => n > 1).length;
    const faultCounts = new Map<FaultKind, number>();
    for (const f of r.faults) faultCounts.set(f.kind, (faultCounts.get(f.kind) ?? 0) + 1);
    const kills = r.faults.filter((f) => f.kind === 'kill-before-delete' && !f.effect.startsWith('skipped')).length;
    t.diagnostic(
      `sent ${COUNT} (${r.messages.filter((m) => m.kind === 'good').length} good, ${r.messages.filter((m) => m.kind !== 'good' && m.kind !== 'poison').length} bad, ${POISON} poison) ` +
        `over ${r.produceSeconds.toFixed(0)} s; run ${r.seconds.toFixed(0)} s with ${r.consumers.length} consumer processes`,
    );
    t.diagnostic(`landed: ${rows.length} user_logins rows, ${quarantine.length} quarantined, ${dlqHeld.length} in the DLQ, ${inQueue.length} in the queue`);
    t.diagnostic(
      `deliveries: ${totalReceives} receives of ${receives.length} ids; ${totalReceives - receives.length} redeliveries; ` +
        `${deliveredAgain} ids (${((deliveredAgain / COUNT) * 100).toFixed(1)}%) delivered more than once; ` +
        `${sqsProxy.stats.swallowed.size} deletes swallowed, ${sqsProxy.stats.droppedDeletes} deletes lost with killed consumers; ` +
        `${r.logs.duplicate} duplicates absorbed (ON CONFLICT)`,
    );
    t.diagnostic(
      `handler: ${r.logs.batches} batches logged, ${r.logs.written} written, ${r.logs.quarantined} quarantined, ${r.logs.failed} failed attempts ` +
        `(${[...r.logs.failureCauses].map(([cause, n]) => `${cause}: ${n}`).join(', ')}); ${r.logs.connectionRetried} batches retried on a dead connection`,
    );
    t.diagnostic(`faults injected: ${[...faultCounts].map(([k, n]) => `${k} ×${n}`).join(', ')}; ${sqsProxy.stats.failedCalls} SQS calls failed with HTTP 500`);
    for (const f of r.faults) t.diagnostic(`  t=${f.atSeconds.toFixed(1)}s ${f.kind}: ${f.effect}`);
    for (const c of r.consumers) t.diagnostic(`  ${c.label}: ${c.exit?.signal ?? `exit ${c.exit?.code}`}; ${c.summary ?? '(no summary: killed or crashed)'}`);
    for (const e of r.unexpectedExits) t.diagnostic(`  unexpected exit: ${e.split('\n').map((l) => l.trim()).join(' | ')}`);

    await t.test('every scheduled fault was injected', () => {
      const expectedFaults = new Map(CYCLE.map((k) => [k, CYCLES]));
      assert.deepEqual(faultCounts, expectedFaults);
      assert.deepEqual(r.faults.filter((f) => f.effect.startsWith('skipped')), []);
      assert.ok(r.terminated > 0, 'pg_terminate_backend hit at least one connection of the function');
    });

    // A consumer that crashed was replaced and the invariant above still
    // holds (its batches came back); but it must not crash.
    await t.test('no consumer process died on its own', () => {
      assert.deepEqual(r.unexpectedExits, []);
    });

    await t.test(`at least 2% of the messages were delivered more than once, and absorbed`, () => {
      assert.ok(deliveredAgain >= 0.02 * COUNT, `${deliveredAgain} of ${COUNT} delivered more than once`);
      assert.ok(r.logs.duplicate >= 0.02 * COUNT, `${r.logs.duplicate} duplicates absorbed`);
    });

    // Short scale sends no poison (five receives 5 s apart would add half a
    // minute to npm test): the DLQ is then empty and this would check nothing;
    // an empty DLQ is asserted with "each in exactly one place" above.
    const noPoison = POISON === 0 ? 'no poison messages at this scale (npm run test:chaos sends 20)' : false;
    await t.test(`the DLQ holds only messages that failed ${MAX_RECEIVE_COUNT} times`, { skip: noPoison }, () => {
      assert.deepEqual(
        [...dlqRead].sort(),
        dlqHeld.map((m) => m.messageId).sort(),
        'reading the DLQ out gives what the emulator holds',
      );
      const poisonIds = [...byId].filter(([, m]) => m.kind === 'poison').map(([id]) => id);
      assert.deepEqual(dlqHeld.map((m) => m.messageId).sort(), poisonIds.sort(), 'exactly the poison messages');
      const notEnough = dlqHeld
        .filter((m) => m.receiveCount <= MAX_RECEIVE_COUNT || sqsProxy.stats.receives.get(m.messageId) !== MAX_RECEIVE_COUNT)
        .map((m) => `${m.messageId}: ApproximateReceiveCount ${m.receiveCount}, handed to consumers ${sqsProxy.stats.receives.get(m.messageId) ?? 0}`);
      assert.deepEqual(notEnough, [], `moved on the receive after the ${MAX_RECEIVE_COUNT}th, each of those ${MAX_RECEIVE_COUNT} handed to a consumer`);
      // Each of those deliveries failed: logged as failed, unless the consumer was killed with it.
      const unlogged = dlqHeld
        .filter((m) => (r.logs.failures.get(m.messageId) ?? 0) < MAX_RECEIVE_COUNT - kills - r.unexpectedExits.length)
        .map((m) => m.messageId);
      assert.deepEqual(unlogged, [], 'failures logged for each delivery');
    });

    await t.test('no plain ip or device id in any table or log', async () => {
      const needles = new NeedleSet(r.messages.flatMap((m) => m.pii));
      const output = r.consumers.map((c) => `${c.stdout}\n${c.stderr}`).join('\n');
      assert.deepEqual(needles.find(output), [], 'consumer stdout/stderr');
      const scan = await scanDatabaseForNeedles(db.pool, needles);
      t.diagnostic(`PII scan: ${needles.size} values over ${(output.length / 1024 / 1024).toFixed(1)} MB of consumer output and ${scan.values} database values (${(scan.bytes / 1024 / 1024).toFixed(1)} MB)`);
      assert.deepEqual(scan.hits, [], 'database');
      // The shared scanner too, on a sample (it tests needle by needle).
      const sample = r.messages.filter((m) => m.index % 50 === 0).flatMap((m) => m.pii);
      assert.deepEqual(await scanDatabaseForPii(db.pool, sample), []);
    });

    // A frozen consumer's connections are closed by the server (57P05); the
    // batch after the thaw must land (retried), not fail and come back. With
    // 4 pollers on a pool of 4 every stale connection may be handed out in
    // turn: Database.run retries while the failed one was a reused connection.
    await t.test('no batch failed on a connection closed while the consumer was frozen', () => {
      const stale = [...r.logs.failureCauses].filter(([cause]) => / 57P05$/.test(cause));
      assert.deepEqual(stale, []);
    });
  });
});
