import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { DATA_KEY_MAX_AGE_MS } from '../../lambda/vault/data-key-cache.js';
import { provisionLocalMaintenanceLogin } from '../../tools/lib/local-logins.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const DAY_MS = 86_400_000;
const goodBodies = sampleBodies.filter((b) => (JSON.parse(b) as { user_id?: unknown }).user_id !== undefined);
const monthName = (d: Date) => `user_logins_p${d.toISOString().slice(0, 7).replace('-', '')}`;
/** The first of the month `months` from this one, UTC, at noon. */
const monthsFromNow = (months: number): Date => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 1, 12));
};

interface Action {
  action: string;
  target: string;
  detail: string;
}

describe('user_logins partitioned by month, with maintenance and retention', () => {
  let db: TestDatabase;
  let maintainer: pg.Client;
  let etl: LoginEtl;

  before(async () => {
    db = await createTestDatabase('partitions');
    const admin = await db.pool.connect();
    try {
      maintainer = new pg.Client({ connectionString: await provisionLocalMaintenanceLogin(admin, db.adminUrl) });
    } finally {
      admin.release();
    }
    await maintainer.connect();
    etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
  });
  after(async () => {
    await etl.close();
    await maintainer.end();
    await db.drop();
  });

  const maintain = async (apply: boolean, retentionMonths = 1200, bodyDays = 14): Promise<Action[]> =>
    (await maintainer.query<Action>('SELECT * FROM login_etl_maintain_v1(3, $1, $2, $3)', [retentionMonths, bodyDays, apply])).rows;
  const partitionsOf = async (prefix: string) =>
    (
      await db.pool.query<{ message_id: string; part: string }>(
        `SELECT message_id, tableoid::regclass::text AS part FROM user_logins WHERE message_id LIKE $1 ORDER BY message_id`,
        [`${prefix}%`],
      )
    ).rows;
  const send = (bodies: readonly string[], idPrefix: string, sent: Date) =>
    etl.process(sqsEvent(bodies, { idPrefix: `${idPrefix}-`, sentTimestamp: sent.getTime() }));
  const ids = (idPrefix: string, n = 3) =>
    sqsEvent(Array<string>(n).fill('x'), { idPrefix: `${idPrefix}-` }).Records.map((r) => r.messageId);

  it('routes each login to the partition of its month: this month, last month, the months ahead', async () => {
    for (const [i, months] of [0, -1, 3].entries()) {
      const sent = monthsFromNow(months);
      const result = await send(goodBodies.slice(i, i + 1), `route${i}`, sent);
      assert.equal(result.counts.written, 1);
      const [row] = await partitionsOf(ids(`route${i}`)[0] as string);
      assert.equal(row?.part, monthName(sent));
    }
  });

  it('writes logins sent years in the past and in the future into the default partition; maintenance moves them into their months, once', async () => {
    const past = new Date(Date.UTC(2019, 5, 15, 8));
    const future = new Date(Date.UTC(new Date().getUTCFullYear() + 5, 2, 10, 8));
    const old = await send(goodBodies.slice(10, 13), 'past', past);
    const ahead = await send(goodBodies.slice(13, 15), 'future', future);
    assert.deepEqual([old.counts.written, old.counts.failed, ahead.counts.written, ahead.counts.failed], [3, 0, 2, 0]);
    const before = await db.pool.query(`SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM user_logins GROUP BY 1`);
    assert.deepEqual(before.rows.filter((r) => r.part === 'user_logins_default'), [{ part: 'user_logins_default', n: 5 }]);

    const planned = await maintain(false);
    assert.deepEqual(planned, [
      { action: 'create_partition', target: 'user_logins_p201906', detail: '2019-06-01 to 2019-07-01' },
      { action: 'move_rows', target: 'user_logins_p201906', detail: '3 rows from user_logins_default' },
      { action: 'create_partition', target: monthName(future), detail: `${future.toISOString().slice(0, 8)}01 to ${future.getUTCFullYear()}-04-01` },
      { action: 'move_rows', target: monthName(future), detail: '2 rows from user_logins_default' },
    ]);
    assert.equal((await partitionsOf('')).filter((r) => r.part === 'user_logins_default').length, 5, 'a dry run changes nothing');
    assert.deepEqual(await maintain(true), planned);
    assert.deepEqual(await maintain(true), [], 'a second run has nothing to do');
    assert.deepEqual(await maintain(false), []);

    const moved = [...ids('past').slice(0, 3), ...ids('future').slice(0, 2)];
    const rows = (await partitionsOf('')).filter((r) => moved.includes(r.message_id));
    assert.deepEqual(rows.map((r) => r.part).sort(), [...Array(2).fill(monthName(future)), ...Array(3).fill('user_logins_p201906')].sort());
    const indexes = await db.pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'user_logins_p201906' ORDER BY indexname`);
    assert.equal(indexes.rows.length, 4, 'the attached partition has every index of user_logins');
    assert.match(indexes.rows.map((r) => r.indexdef).join('\n'), /UNIQUE INDEX .* \(message_id, create_date\)/);

    // Redelivered after the move: the same message id and SentTimestamp meet their row in its new partition.
    const again = await send(goodBodies.slice(10, 13), 'past', past);
    assert.deepEqual(again.counts, { written: 0, duplicate: 3, quarantined: 0, failed: 0 });
  });

  it('retention drops whole months past it, their sealed originals and the data keys only they used; newer rows, erasures and the audit stay', async () => {
    const oldEtl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    const old = monthsFromNow(-40);
    try {
      // A login of its own (values no other row has), under a data key of its own.
      const body = JSON.stringify({ user_id: 'retired-user', app_version: '1.0.0', device_type: 'ios', ip: '10.77.0.1', locale: 'FR', device_id: '900-00-0001' });
      assert.equal((await oldEtl.process(sqsEvent([body], { idPrefix: 'retired-', sentTimestamp: old.getTime() }))).counts.written, 1);
    } finally {
      await oldEtl.close();
    }
    await maintain(true);
    const [retired] = await partitionsOf(ids('retired')[0] as string);
    assert.equal(retired?.part, monthName(old));
    const key = await db.pool.query(`SELECT pii_dek_id FROM user_logins WHERE user_id = 'retired-user'`);
    const oldKey = key.rows[0].pii_dek_id as string;
    const keptKey = await db.pool.query(`SELECT DISTINCT pii_dek_id AS dek_id FROM user_logins WHERE pii_dek_id <> $1 AND create_date >= '2000-01-01'`, [oldKey]);
    assert.ok(keptKey.rows.length > 0);
    // Data keys younger than a day are never deleted (a batch may be about to use one).
    await db.pool.query(`UPDATE vault_data_keys SET created_at = now() - interval '2 days'`);
    await db.pool.query(`INSERT INTO pii_erasures (token, kind, user_id, requested_by, reason) VALUES ('e'||repeat('0', 63), 'ip', 'gone', 'x', 'test')`);
    await db.pool.query(`INSERT INTO pii_unmask_audit (requested_by, subject_kind, subject, reason, outcome) VALUES ('x', 'user_id', 's', 'test', 'ok')`);
    const counted = async () =>
      (await db.pool.query(`SELECT (SELECT count(*) FROM user_logins)::int AS logins, (SELECT count(*) FROM pii_erasures)::int AS erasures,
                                   (SELECT count(*) FROM pii_unmask_audit)::int AS audit`)).rows[0];
    const beforeCounts = await counted();

    const planned = await maintain(false, 25);
    const drops = planned.filter((a) => a.action === 'drop_partition').map((a) => a.target);
    assert.ok(drops.includes(monthName(old)) && drops.includes('user_logins_p201906'), JSON.stringify(planned));
    assert.ok(!drops.includes(monthName(monthsFromNow(-24))), 'the month 24 months back is kept');
    assert.deepEqual(planned.filter((a) => a.action === 'delete_orphans').map((a) => a.target), ['vault_data_keys']);
    assert.deepEqual(await counted(), beforeCounts, 'a dry run changes nothing');

    assert.deepEqual(await maintain(true, 25), planned);
    assert.deepEqual(await maintain(true, 25), []);
    const afterCounts = await counted();
    assert.equal(afterCounts.logins, beforeCounts.logins - 4, 'the retired login and the three of 2019 are gone');
    assert.equal(afterCounts.erasures, beforeCounts.erasures);
    assert.equal(afterCounts.audit, beforeCounts.audit);
    assert.equal((await partitionsOf(ids('route1')[0] as string)).length, 1, 'last month is kept');
    const keys = await db.pool.query(`SELECT id FROM vault_data_keys`);
    assert.ok(!keys.rows.some((k) => k.id === oldKey), 'its data key went with it');
    for (const { dek_id } of keptKey.rows) assert.ok(keys.rows.some((k) => k.id === dek_id), 'the keys of kept rows stay');
    const orphans = await db.pool.query(`SELECT count(*)::int AS n FROM vault_data_keys k WHERE NOT EXISTS
      (SELECT 1 FROM user_logins l WHERE l.pii_dek_id = k.id) AND NOT EXISTS (SELECT 1 FROM user_logins_quarantine q WHERE q.body_dek_id = k.id)`);
    assert.equal(orphans.rows[0].n, 0, 'no data key is left that nothing uses');
    const tables = await db.pool.query(`SELECT count(*)::int AS n FROM pg_class WHERE relname IN ($1, 'user_logins_p201906')`, [monthName(old)]);
    assert.equal(tables.rows[0].n, 0, 'detached and dropped');
  });

  it('keeps a data key no row names yet while a sandbox may still seal under it (DATA_KEY_MAX_AGE_MS), so the COPY path may trust a key it wrote rows under', async () => {
    const id = randomUUID();
    const ageSeconds = Math.ceil(DATA_KEY_MAX_AGE_MS / 1000) + 60;
    await db.pool.query(
      `INSERT INTO vault_data_keys (id, kek_id, wrapped_key, created_at) VALUES ($1, 'test', '\\x00', now() - make_interval(secs => $2))`,
      [id, ageSeconds],
    );
    // A body due for shredding makes maintenance look for orphaned keys.
    assert.equal((await send(['{"not": "a login"}'], 'keyage', new Date())).counts.quarantined, 1);
    await db.pool.query(`UPDATE user_logins_quarantine SET quarantined_at = now() - interval '15 days' WHERE message_id = $1`, [ids('keyage')[0]]);
    const actions = await maintain(true, 25);
    assert.ok(actions.some((a) => a.action === 'shred_bodies'), JSON.stringify(actions));
    const kept = await db.pool.query(`SELECT 1 FROM vault_data_keys WHERE id = $1`, [id]);
    assert.equal(kept.rows.length, 1, 'a key as old as a sandbox may use one is not an orphan yet');
    await db.pool.query(`DELETE FROM vault_data_keys WHERE id = $1`, [id]);
  });

  it('shreds quarantined bodies older than the quarantine retention, keeping their rows', async () => {
    const bad = ['{"not": "a login"}', '{"user_id": 7}'];
    assert.equal((await send(bad, 'shred', new Date())).counts.quarantined, 2);
    const [oldId, newId] = ids('shred');
    await db.pool.query(`UPDATE user_logins_quarantine SET quarantined_at = now() - interval '15 days' WHERE message_id = $1`, [oldId]);
    const planned = await maintain(false);
    assert.deepEqual(planned.map((a) => a.action), ['shred_bodies']);
    assert.match(planned[0]?.detail ?? '', /^1 bodies quarantined before \d{4}-\d\d-\d\d$/);
    await maintain(true);
    const rows = await db.pool.query(
      `SELECT message_id, reason, body_ciphertext IS NULL AS shredded, body_nonce IS NULL AS no_nonce, shredded_at IS NOT NULL AS marked
       FROM user_logins_quarantine WHERE message_id IN ($1, $2) ORDER BY message_id = $1 DESC`,
      [oldId, newId],
    );
    assert.deepEqual(rows.rows.map((r) => [r.shredded, r.no_nonce, r.marked]), [[true, true, true], [false, false, false]]);
    assert.ok(rows.rows.every((r) => r.reason), 'the rows stay, with their reason');
    assert.deepEqual(await maintain(true), []);
  });

  it('maintenance runs beside a write in flight to a month, and waits at most its lock_timeout for one in the default partition', async () => {
    const writer = new pg.Client({ connectionString: db.pipelineUrl });
    await writer.connect();
    try {
      // A batch of this month, not committed: maintenance attaches a far month meanwhile.
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO user_logins (message_id, create_date) VALUES ('inflight-1', current_date)`);
      await db.pool.query(`INSERT INTO user_logins (message_id, create_date) VALUES ('far-1', '2045-07-01')`);
      const planned = await maintain(true);
      assert.deepEqual(planned.map((a) => `${a.action} ${a.target}`), ['create_partition user_logins_p204507', 'move_rows user_logins_p204507']);
      await writer.query('COMMIT');
      assert.equal((await partitionsOf('inflight-1')).length, 1);

      // A write in flight to the default partition: maintenance cannot attach a month past it
      // (here 2047-01, waiting there), gives up after its lock_timeout, and changes nothing.
      await db.pool.query(`INSERT INTO user_logins (message_id, create_date) VALUES ('far-2', '2047-01-01')`);
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO user_logins (message_id, create_date) VALUES ('inflight-2', '2046-03-03')`);
      const started = Date.now();
      await assert.rejects(maintain(true), (e: { code?: string }) => e.code === '55P03');
      assert.ok(Date.now() - started < 15_000);
      await writer.query('COMMIT');
      assert.deepEqual((await partitionsOf('far-2')).map((r) => r.part), ['user_logins_default'], 'nothing changed');
      assert.deepEqual((await partitionsOf('inflight-2')).map((r) => r.part), ['user_logins_default']);
      assert.deepEqual((await maintain(true)).map((a) => `${a.action} ${a.target}`), [
        'create_partition user_logins_p204603',
        'move_rows user_logins_p204603',
        'create_partition user_logins_p204701',
        'move_rows user_logins_p204701',
      ]);
      assert.deepEqual((await partitionsOf('inflight-2')).map((r) => r.part), ['user_logins_p204603']);
    } finally {
      await writer.end();
    }
  });

  it('the maintenance login may run maintenance and nothing else; no other login may run it', async () => {
    const refused = async (client: pg.Client, sql: string) =>
      assert.rejects(client.query(sql), (e: { code?: string }) => e.code === '42501', sql);
    await refused(maintainer, `INSERT INTO user_logins (message_id, create_date) VALUES ('forged', current_date)`);
    await refused(maintainer, 'SELECT user_id FROM user_logins');
    await refused(maintainer, 'SELECT body_ciphertext FROM user_logins_quarantine');
    await refused(maintainer, 'SELECT ciphertext FROM pii_vault');
    await refused(maintainer, `SELECT login_etl_add_month_partition('2040-01-01')`);
    await refused(maintainer, `DROP TABLE user_logins_default`);
    const pipeline = new pg.Client({ connectionString: db.pipelineUrl });
    await pipeline.connect();
    try {
      await refused(pipeline, 'SELECT * FROM login_etl_maintain_v1(3, 25, 14, false)');
    } finally {
      await pipeline.end();
    }
    const role = await maintainer.query(`SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = session_user`);
    assert.deepEqual(role.rows, [{ rolsuper: false, rolcreaterole: false }]);
    await assert.rejects(maintainer.query('SELECT * FROM login_etl_maintain_v1(0, 25, 14, false)'), /months_ahead 1\.\.24/);
  });
});
