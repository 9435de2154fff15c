import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { ActivitySampler, BenchDatabase } from '../bench-database.js';

/** The server `npm test` runs against (tools/run-tests.ts), or DATABASE_URL when this file runs alone. */
const serverUrl = process.env.LOGIN_ETL_TEST_SERVER_URL ?? process.env.DATABASE_URL;

async function handlerClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'login-etl' });
  await client.connect();
  return client;
}

/**
 * The lock-wait measure against a real Postgres: three connections named as
 * the handler's, one holding a lock, one waiting on it, one running a
 * statement that waits on nothing. The sampler must see one of the two
 * running statements waiting, and poll at its interval.
 */
describe('bench lock-wait sampling', { skip: serverUrl === undefined ? 'no DATABASE_URL' : false }, () => {
  let db: BenchDatabase;
  const clients: pg.Client[] = [];
  before(async () => {
    db = await BenchDatabase.create(serverUrl as string);
  });
  after(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await db.drop();
  });

  it('counts the running handler statements and the share of them waiting on a lock', async () => {
    const [holder, waiter, busy] = [await handlerClient(db.url), await handlerClient(db.url), await handlerClient(db.url)];
    clients.push(holder, waiter, busy);
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(21)');
    const waiting = waiter.query('SELECT pg_advisory_xact_lock(21)');
    const running = busy.query('SELECT pg_sleep(1.5)');
    await new Promise((r) => setTimeout(r, 200));
    const sampler = new ActivitySampler((polls, intervalMs) => db.handlerActivity(polls, intervalMs));
    await new Promise((r) => setTimeout(r, 600));
    const seen = await sampler.stop();
    await holder.query('COMMIT');
    await Promise.all([waiting, running]);

    assert.equal(seen.peakConnections, 3);
    assert.ok(seen.polls >= 40, `${seen.polls} polls in about 600 ms`);
    // The holder is idle in its transaction: not running, not counted.
    assert.equal(seen.activeObservations, 2 * seen.polls);
    assert.equal(seen.lockWaitObservations, seen.polls);
    assert.equal(seen.lockWaitShare, 0.5);
  });
});
