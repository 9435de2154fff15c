import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lambda/config.js';
import { PostgresLoginStore } from '../../lambda/db/login-store.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { processBatch } from '../../lambda/pipeline/process-batch.js';
import type { LoginStore, WriteSet } from '../../lambda/pipeline/types.js';
import { DataKeyCache } from '../../lambda/vault/data-key-cache.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { sampleLogins } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const login = (i: number, patch: Record<string, unknown> = {}) => JSON.stringify({ ...sampleLogins[i], ...patch });

/** The store, keeping every set the pipeline asks it to write. */
function spyOn(store: LoginStore): { spy: LoginStore; sent: WriteSet[] } {
  const sent: WriteSet[] = [];
  const spy: LoginStore = {
    encode: (set) => {
      sent.push(set);
      return store.encode(set);
    },
  };
  return { spy, sent };
}

describe('limits the write keeps whatever it is given', () => {
  let db: TestDatabase;
  let etl: LoginEtl;
  before(async () => {
    db = await createTestDatabase('write_limits');
    // Rows with locale "zz" are refused by Postgres (as a constraint would), after preparation sealed their values.
    await db.pool.query(`
      CREATE FUNCTION refuse_zz() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.locale = 'zz' THEN RAISE EXCEPTION 'refused %', NEW.user_id USING ERRCODE = 'check_violation'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_zz BEFORE INSERT ON user_logins FOR EACH ROW EXECUTE FUNCTION refuse_zz();`);
    etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
  });
  after(async () => {
    await etl.close();
    await db.drop();
  });

  it('a data key never seals more than VAULT_DATA_KEY_MAX_USES values, rejected rows and quarantined bodies counted', async () => {
    const MAX_USES = 7;
    const bodies = [
      ...Array.from({ length: 12 }, (_, i) => login(i, i === 3 || i === 8 ? { locale: 'zz' } : {})),
      '{"user_id": "broken',
      login(20, { ip: 'not an address' }),
      '[1, 2, 3]',
    ];
    const r = await etl.resources();
    const { spy, sent } = spyOn(r.store);
    const event = sqsEvent(bodies, { idPrefix: 'key-limit' });
    const report = await processBatch(event.Records, { store: spy, tokenizer: r.tokenizer, dataKeys: new DataKeyCache(r.kek, MAX_USES) });
    const statuses = [...report.outcomes.values()].map((o) => o.status);
    assert.deepEqual(statuses.filter((s) => s === 'written').length, 10);
    assert.deepEqual(statuses.filter((s) => s === 'quarantined').length, 5);

    // Every distinct nonce under a key is one seal with it (a value sealed once and sent twice is one).
    const seals = new Map<string, Set<string>>();
    for (const set of sent) {
      const nonces = seals.get(set.dataKey.id) ?? new Set<string>();
      for (const l of set.logins) nonces.add(l.piiSealed.subarray(1, 13).toString('hex'));
      for (const q of set.quarantine) nonces.add(q.bodyNonce.toString('hex'));
      seals.set(set.dataKey.id, nonces);
    }
    const perKey = [...seals.values()].map((n) => n.size);
    assert.ok(perKey.every((n) => n <= MAX_USES), `seals per data key: ${perKey.join(', ')}`);
    assert.ok(seals.size >= 4, 'the batch went through several keys');
    const stored = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT pii_dek_id AS dek_id FROM user_logins WHERE message_id = ANY($1) UNION ALL
         SELECT body_dek_id FROM user_logins_quarantine WHERE message_id = ANY($1)) s GROUP BY dek_id`,
      [event.Records.map((rec) => rec.messageId)],
    );
    assert.ok(stored.rows.length >= 4 && stored.rows.every((row) => row.n <= MAX_USES), 'and so do the rows that landed');
  });

  it('a row Postgres refuses keeps the SQLSTATE and a generic detail, never the server text quoting its value', async () => {
    const event = sqsEvent([login(30, { user_id: 'person-who-must-not-appear', locale: 'zz' })], { idPrefix: 'refused' });
    const result = await etl.process(event);
    assert.deepEqual(result.counts, { written: 0, duplicate: 0, quarantined: 1, failed: 0 });
    const q = await db.pool.query<{ reason: string; detail: string; preview: { type: string; fields: Record<string, string> }; user_token: string | null }>(
      'SELECT reason, detail, preview, user_token FROM user_logins_quarantine WHERE message_id = $1',
      [event.Records[0]?.messageId],
    );
    const row = q.rows[0] ?? assert.fail('not quarantined');
    assert.equal(row.reason, 'rejected_by_database');
    assert.equal(row.detail, 'SQLSTATE 23514: the database refused the row (an integrity constraint)');
    const outcome = [...result.report.outcomes.values()][0];
    assert.ok(outcome?.status === 'quarantined' && !outcome.detail.includes('person-who'), 'nor in the outcome the logs print');
    assert.equal(row.preview.type, 'object', 'the body parsed: its preview is kept, not "unparseable"');
    assert.match(row.user_token ?? '', /^[0-9a-f]{64}$/, 'and its user is findable by forget');
  });

  it('the write function pins its search_path and the COPY names the schema: a temporary table named like ours does not catch the rows', async () => {
    const config = await db.pool.query<{ proname: string; proconfig: string[] }>(
      `SELECT proname, proconfig FROM pg_proc WHERE proname IN ('login_etl_write_v1', 'login_etl_write_v2', 'login_etl_write_v3', 'login_etl_write_v4') ORDER BY 1`,
    );
    assert.deepEqual(config.rows, [
      { proname: 'login_etl_write_v1', proconfig: ['search_path=pg_catalog, public, pg_temp'] },
      { proname: 'login_etl_write_v2', proconfig: ['search_path=pg_catalog, public, pg_temp'] },
      { proname: 'login_etl_write_v3', proconfig: ['search_path=pg_catalog, public, pg_temp'] },
      { proname: 'login_etl_write_v4', proconfig: ['search_path=pg_catalog, public, pg_temp'] },
    ]);
    const shadowed = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      const { database, tokenizer, dataKeys } = await shadowed.resources();
      // pg_temp is searched first unless a path says otherwise; the pipeline's login may create temporary tables.
      await database.run((c) =>
        c.query(`CREATE TEMP TABLE user_logins (pii_dek_id uuid, user_id varchar, device_type varchar, masked_ip varchar,
                   masked_device_id varchar, locale varchar, app_version int, create_date date, message_id varchar UNIQUE,
                   app_version_text varchar, key_version varchar, sent_at timestamptz, pii_sealed bytea)`),
      );
      const event = sqsEvent([login(40), login(41)], { idPrefix: 'shadow' });
      assert.equal((await shadowed.process(event)).counts.written, 2);
      // The same chunk size by COPY (a store whose threshold it reaches), on the same connection.
      const copied = sqsEvent([login(42), login(43)], { idPrefix: 'shadow-copy' });
      const report = await processBatch(copied.Records, { store: new PostgresLoginStore(database, 2), tokenizer, dataKeys });
      assert.deepEqual([...report.outcomes.values()].map((o) => o.status), ['written', 'written']);
      const caught = await database.run((c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_temp.user_logins'));
      assert.equal(caught.value.rows[0]?.n, 0);
      const landed = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM user_logins WHERE message_id = ANY($1)', [
        [...event.Records, ...copied.Records].map((rec) => rec.messageId),
      ]);
      assert.equal(landed.rows[0]?.n, 4);
    } finally {
      await shadowed.close();
    }
  });
});
