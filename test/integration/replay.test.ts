import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../lambda/config.js';
import { writeArguments } from '../../lambda/db/login-store.js';
import { WRITE_ARGUMENTS, WRITE_PARAMETERS } from '../../lambda/db/write-spec.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { parseKeyring } from '../../lambda/masking/keyring.js';
import { toWriteSet } from '../../lambda/pipeline/chunk-writer.js';
import { prepareRecord, sealingUnder } from '../../lambda/pipeline/prepare-record.js';
import { createResources, type Resources } from '../../lambda/resources.js';
import { LocalKek } from '../../lambda/vault/key-encryption-key.js';
import { VaultReader } from '../../lambda/vault/vault-reader.js';
import { forget, userTokens } from '../../tools/lib/pii/forget.js';
import type { ReplayFilter } from '../../tools/lib/pii/replay-filter.js';
import { listQuarantined, replayAll, ReplayStoppedError, type ReplayResult } from '../../tools/lib/pii/replay.js';
import { unmask } from '../../tools/lib/pii/unmask.js';
import { sqsEvent, sqsRecord, stableMessageId } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { snsWrapped } from '../support/envelopes.js';
import { kekFile, testEnv } from '../support/keys.js';
import { scanDatabaseForPii } from '../support/pii-scan.js';
import { sampleLogins, type SampleLogin } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const sample = (i: number): SampleLogin => sampleLogins[i] ?? assert.fail(`no sample ${i}`);
const body = (i: number, overrides: Partial<SampleLogin> = {}) => JSON.stringify({ ...sample(i), ...overrides });
const context = { operator: 'erin', reason: 'INC-23 replay after the fix' };
const OPERATOR = 'login_etl_op_replayer';
const REJECTED: ReplayFilter = { reason: 'rejected_by_database' };

describe('replay: quarantined messages through the pipeline again', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let ops: Resources;
  let operator: pg.Client;
  let reader: VaultReader;
  /** Sent an hour ago: an erasure now covers these logins (erasure goes by the time a login was sent). */
  const sentTimestamp = Date.now() - 3_600_000;

  const ingest = async (bodies: string[], idPrefix: string, extra: NodeJS.ProcessEnv = {}) => {
    const etl = new LoginEtl(loadConfig({ ...env, ...extra }));
    try {
      return await etl.process(sqsEvent(bodies, { idPrefix, sentTimestamp }));
    } finally {
      await etl.close();
    }
  };
  /** The message id sqsEvent gives the first body under a prefix. */
  const idOf = (idPrefix: string) => stableMessageId(`${idPrefix}-0`);
  const deps = (over: Partial<{ reader: VaultReader; unwrapEnvelopes: boolean }> = {}) => ({
    tokenizer: ops.tokenizer,
    reader,
    unwrapEnvelopes: true,
    ...over,
  });
  const run = <T>(work: (client: pg.ClientBase) => Promise<T>) => ops.database.run(work).then((r) => r.value);
  const replay = async (filter: ReplayFilter, over: Parameters<typeof deps>[0] = {}): Promise<ReplayResult[]> => {
    const messages = await run((client) => listQuarantined(client, filter));
    return replayAll(run, { messages, context }, deps(over));
  };
  const quarantineRow = async (messageId: string) =>
    (await db.pool.query('SELECT * FROM user_logins_quarantine WHERE message_id = $1', [messageId])).rows[0] as Record<string, unknown> | undefined;
  const loginRow = async (messageId: string) =>
    (await db.pool.query('SELECT * FROM user_logins WHERE message_id = $1', [messageId])).rows[0] as Record<string, unknown> | undefined;
  const auditOf = async (messageId: string) =>
    (await db.pool.query('SELECT requested_by, stated_operator, subject_kind, reason, outcome FROM pii_unmask_audit WHERE subject = $1 ORDER BY id', [messageId])).rows;
  const withConstraint = async (work: () => Promise<unknown>) => {
    // A rule the rows must meet that these logins do not: Postgres refuses them with 23514, as it would a real constraint.
    await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT replay_test_no_ios CHECK (device_type <> 'ios') NOT VALID`);
    try {
      await work();
    } finally {
      await db.pool.query('ALTER TABLE user_logins DROP CONSTRAINT replay_test_no_ios');
    }
  };
  const ios = (i: number) => body(i, { device_type: 'ios' });

  before(async () => {
    db = await createTestDatabase('replay');
    env = testEnv(db.pipelineUrl);
    ops = await createResources(loadConfig({ ...env, DATABASE_URL: await db.operatorUrl('replayer') }));
    operator = new pg.Client({ connectionString: await db.operatorUrl('replayer') });
    await operator.connect();
    reader = new VaultReader(ops.kek);
  });
  after(async () => {
    reader.close();
    await operator.end();
    await ops.database.close();
    await db.drop();
  });

  it('a login Postgres refused lands once the constraint is dropped: its original message id, out of the quarantine, audited', async () => {
    const id = idOf('refused');
    await withConstraint(async () => {
      assert.deepEqual((await ingest([ios(1)], 'refused')).counts, { written: 0, duplicate: 0, quarantined: 1, failed: 0 });
      const before = await quarantineRow(id);
      assert.equal(before?.reason, 'rejected_by_database');
      assert.match(String(before?.detail), /^SQLSTATE 23514/);

      const still = await replay({ ...REJECTED, messageId: id });
      assert.deepEqual(still.map((r) => r.outcome), ['still_quarantined'], 'while the cause is there, it fails as before');
      assert.equal(await loginRow(id), undefined);
    });
    const quarantinedBody = await quarantineRow(id);

    const results = await replay({ ...REJECTED, messageId: id });
    assert.deepEqual(results.map((r) => [r.messageId, r.outcome]), [[id, 'replayed']]);
    assert.equal(await quarantineRow(id), undefined, 'it left the quarantine');
    const landed = await loginRow(id);
    assert.equal(landed?.user_id, sample(1).user_id);
    assert.equal(landed?.device_type, 'ios');
    assert.equal((landed?.sent_at as Date).getTime(), sentTimestamp, 'the time it was sent, not the time of the replay');
    assert.deepEqual(
      (await auditOf(id)).map((a) => [a.requested_by, a.stated_operator, a.subject_kind, a.reason, a.outcome]),
      [
        [OPERATOR, 'erin', 'message_id', context.reason, 'still_quarantined'],
        [OPERATOR, 'erin', 'message_id', context.reason, 'replayed'],
      ],
      'one audit row per attempt, naming the login that replayed',
    );

    // Its values were sealed under its body's data key, and open for unmask.
    const sealed = await db.pool.query<{ dek_id: string }>(
      'SELECT pii_dek_id AS dek_id FROM user_logins WHERE masked_ip = $1 AND masked_device_id = $2 AND pii_sealed IS NOT NULL',
      [landed?.masked_ip, landed?.masked_device_id],
    );
    assert.deepEqual(sealed.rows.map((r) => r.dek_id), [quarantinedBody?.body_dek_id]);
    const shown = await unmask(operator, { subject: { kind: 'user', userId: sample(1).user_id }, context }, { reader });
    assert.deepEqual(shown.values.map((v) => v.value).sort(), [sample(1).device_id, sample(1).ip].sort());
  });

  it('a second replay changes nothing: nothing is left to replay, and a stale selection finds the message gone', async () => {
    const id = idOf('refused');
    const logins = await db.pool.query('SELECT count(*) AS n FROM user_logins');
    const audits = await db.pool.query('SELECT count(*) AS n FROM pii_unmask_audit');
    assert.deepEqual(await replay({ ...REJECTED, messageId: id }), []);
    const stale = { messageId: id, reason: 'rejected_by_database' as const, quarantinedAt: new Date(), sentAt: null, sealed: true };
    assert.deepEqual(await replayAll(run, { messages: [stale], context }, deps()), [{ messageId: id, outcome: 'gone' }]);
    assert.deepEqual((await db.pool.query('SELECT count(*) AS n FROM user_logins')).rows, logins.rows);
    assert.deepEqual((await db.pool.query('SELECT count(*) AS n FROM pii_unmask_audit')).rows, audits.rows, 'nothing opened, nothing audited');
  });

  it('a message whose login landed meanwhile (a redelivery after the fix) leaves the quarantine, with no second row', async () => {
    const id = idOf('landed-meanwhile');
    await withConstraint(async () => {
      await ingest([ios(9)], 'landed-meanwhile');
    });
    assert.equal((await ingest([ios(9)], 'landed-meanwhile')).counts.written, 1, 'the pipeline lands a redelivered copy');
    const before = await loginRow(id);
    assert.ok(before && (await quarantineRow(id)), 'in both places');

    assert.deepEqual((await replay({ ...REJECTED, messageId: id })).map((r) => r.outcome), ['replayed']);
    assert.equal(await quarantineRow(id), undefined);
    assert.deepEqual(await loginRow(id), before, 'the row that was there, unchanged');
    assert.equal(Number((await db.pool.query('SELECT count(*) AS n FROM user_logins WHERE message_id = $1', [id])).rows[0]?.n), 1);
  });

  it('a message that fails again stays quarantined with its new reason and detail, in place; replaying it again changes nothing', async () => {
    const valid = snsWrapped(body(2));
    const notJson = snsWrapped('this is not JSON');
    const [validId, notJsonId] = sqsEvent([valid, notJson], { idPrefix: 'wrapped' }).Records.map((r) => r.messageId) as [string, string];
    // Unwrapping off: both envelopes are schema violations. The fix: unwrapping on.
    assert.equal((await ingest([valid, notJson], 'wrapped', { UNWRAP_ENVELOPES: 'false' })).counts.quarantined, 2);
    const before = await quarantineRow(notJsonId);

    const results = await replay({ reason: 'schema_violation' });
    assert.deepEqual(
      results.map((r) => [r.messageId, r.outcome, r.outcome === 'still_quarantined' ? `${r.reason}: ${r.detail}` : '']).sort(),
      [
        [validId, 'replayed', ''],
        [notJsonId, 'still_quarantined', 'invalid_json: sns: Message is not valid JSON'],
      ].sort(),
    );
    assert.equal((await loginRow(validId))?.user_id, sample(2).user_id, 'the login inside the envelope, as the pipeline unwraps it');
    const after = await quarantineRow(notJsonId);
    assert.deepEqual(after, { ...before, reason: 'invalid_json', detail: 'sns: Message is not valid JSON' }, 'only reason and detail changed');

    assert.deepEqual(await replay({ reason: 'schema_violation' }), []);
    const again = await replay({ reason: 'invalid_json' });
    assert.deepEqual(again.map((r) => r.outcome), ['still_quarantined']);
    assert.deepEqual(await quarantineRow(notJsonId), after, 'a second replay leaves the row as it was');
  });

  it("an erased user's quarantined body is not replayed: shredded by forget, or shredded now when forget could not attribute it", async () => {
    const bare = ios(3);
    const wrapped = snsWrapped(ios(4));
    const unattributed = ios(11);
    const [bareId, wrappedId, unattributedId] = sqsEvent([bare, wrapped, unattributed], { idPrefix: 'erased' }).Records.map(
      (r) => r.messageId,
    ) as [string, string, string];
    await withConstraint(async () => {
      assert.equal((await ingest([bare, wrapped, unattributed], 'erased')).counts.quarantined, 3);
    });
    // A body quarantined before quarantined bodies kept their user's token, whose preview no longer names
    // the user (a user id too long for it): forget cannot attribute it.
    await db.pool.query(
      `UPDATE user_logins_quarantine SET user_token = NULL, preview = jsonb_set(preview, '{fields}', (preview->'fields') - 'user_id')
       WHERE message_id = $1`,
      [unattributedId],
    );
    const keyring = parseKeyring(env.MASKING_KEYS ?? '', 'test');
    for (const i of [3, 4, 11]) {
      const userId = sample(i).user_id;
      await forget(operator, { userId, context, userTokens: userTokens(keyring, userId) });
    }
    assert.equal((await quarantineRow(bareId))?.body_ciphertext, null, 'forget shredded the bare login it could attribute');
    assert.equal((await quarantineRow(wrappedId))?.body_ciphertext, null, 'and the login a refused envelope carried');
    assert.notEqual((await quarantineRow(unattributedId))?.body_ciphertext, null, 'but not a body without its user token');

    const results = await replay(REJECTED);
    assert.deepEqual(
      results.map((r) => [r.messageId, r.outcome, r.outcome === 'erased' ? r.why : '']).sort(),
      [
        [bareId, 'erased', 'shredded'],
        [wrappedId, 'erased', 'shredded'],
        [unattributedId, 'erased', 'forgotten'],
      ].sort(),
    );
    for (const id of [bareId, wrappedId, unattributedId]) {
      assert.equal(await loginRow(id), undefined);
      const row = await quarantineRow(id);
      assert.deepEqual([row?.reason, row?.body_ciphertext, row?.body_nonce, row?.body_dek_id], ['rejected_by_database', null, null, null]);
      assert.deepEqual((await auditOf(id)).map((a) => a.outcome), ['erased']);
    }
  });

  it("a replay that meets a forget waits for it, in forget's lock order (no deadlock), and finds the body shredded", async () => {
    const id = idOf('race');
    await withConstraint(async () => {
      await ingest([ios(7)], 'race');
    });
    // forget's transaction, held open: the vault first (SHARE ROW EXCLUSIVE), then the quarantined bodies it shreds.
    const forgetting = new pg.Client({ connectionString: await db.operatorUrl('replayer') });
    await forgetting.connect();
    try {
      await forgetting.query('BEGIN');
      await forgetting.query('LOCK TABLE pii_vault IN SHARE ROW EXCLUSIVE MODE');
      const replaying = replay({ ...REJECTED, messageId: id });
      await waitForLockWait(db, 'pii_vault');
      await forgetting.query('UPDATE user_logins_quarantine SET body_dek_id = NULL, body_nonce = NULL, body_ciphertext = NULL WHERE message_id = $1', [id]);
      await forgetting.query('COMMIT');
      assert.deepEqual((await replaying).map((r) => [r.outcome, r.outcome === 'erased' ? r.why : '']), [['erased', 'shredded']]);
    } finally {
      await forgetting.end();
    }
    assert.equal(await loginRow(id), undefined);
  });

  it('a key that does not open the body changes nothing; the attempt is audited authentication_failed and the run stops', async () => {
    const id = idOf('wrong-key');
    await withConstraint(async () => {
      await ingest([ios(5)], 'wrong-key');
    });
    const before = await quarantineRow(id);
    const wrong = new VaultReader(await LocalKek.fromFile(kekFile()));
    await assert.rejects(replay({ ...REJECTED, messageId: id }, { reader: wrong }), (error: unknown) => {
      assert.ok(error instanceof ReplayStoppedError);
      assert.deepEqual(error.results, []);
      assert.match(error.message, /data key was wrapped by local-[0-9a-f]+, but the configured key is local-[0-9a-f]+/);
      return true;
    });
    assert.deepEqual(await quarantineRow(id), before);
    assert.equal(await loginRow(id), undefined);
    assert.deepEqual((await auditOf(id)).map((a) => [a.requested_by, a.outcome]), [[OPERATOR, 'authentication_failed']]);
    assert.deepEqual((await replay({ ...REJECTED, messageId: id })).map((r) => r.outcome), ['replayed'], 'the right key replays it');
  });

  it('a failure after the body was opened rolls the message back, is audited failed, and stops the run', async () => {
    const id = idOf('broken');
    await withConstraint(async () => {
      await ingest([ios(8)], 'broken');
    });
    const before = await quarantineRow(id);
    // The write cannot run (as after a bad deploy): not the row's fault, so not a reason to requarantine it.
    await db.pool.query('REVOKE EXECUTE ON FUNCTION login_etl_replay_v2 FROM login_etl_operator');
    try {
      await assert.rejects(replay({ ...REJECTED, messageId: id }), (error: unknown) => {
        assert.ok(error instanceof ReplayStoppedError);
        assert.equal((error.reason as { code?: string }).code, '42501');
        return true;
      });
    } finally {
      await db.pool.query('GRANT EXECUTE ON FUNCTION login_etl_replay_v2 TO login_etl_operator');
    }
    assert.deepEqual(await quarantineRow(id), before);
    assert.equal(await loginRow(id), undefined);
    assert.deepEqual((await auditOf(id)).map((a) => [a.requested_by, a.outcome]), [[OPERATOR, 'failed']]);
  });

  it('login_etl_replay_v2 lands only a quarantined message with its sealed body, its data key and its sent time', async () => {
    const id = idOf('direct');
    await withConstraint(async () => {
      await ingest([ios(6)], 'direct');
    });
    const q = (await quarantineRow(id)) as { body_dek_id: string };
    const k = (await db.pool.query<{ kek_id: string; wrapped_key: Buffer }>('SELECT kek_id, wrapped_key FROM vault_data_keys WHERE id = $1', [q.body_dek_id])).rows[0];
    const dataKey = await reader.dataKey({ dekId: q.body_dek_id, kekId: k?.kek_id ?? '', wrappedKey: k?.wrapped_key ?? Buffer.alloc(0) });
    const call = (messageId: string, sent: number, dekId = q.body_dek_id, extra?: 'quarantine' | 'logins') => {
      const ctx = { tokenizer: ops.tokenizer, ...sealingUnder(dataKey, 3), now: new Date() };
      const items = [prepareRecord(sqsRecord(ios(6), { messageId, sentTimestamp: sent }), ctx)];
      if (extra === 'quarantine') items.push(prepareRecord(sqsRecord('{}', { messageId: `${messageId}-q`, sentTimestamp: sent }), ctx));
      if (extra === 'logins') for (const n of [2, 3]) items.push(prepareRecord(sqsRecord(ios(6 + n), { messageId: `${messageId}-${n}`, sentTimestamp: sent }), ctx));
      const parameters = writeArguments(toWriteSet(items, { id: dekId, kekId: k?.kek_id ?? '', wrapped: k?.wrapped_key ?? Buffer.alloc(0) }));
      // Three logins under one message id: unnest would pad the other two with NULL message ids.
      if (extra === 'logins') parameters[WRITE_PARAMETERS.findIndex((p) => p.source === 'logins' && p.column === 'message_id')] = [messageId];
      return operator.query({ text: `SELECT * FROM login_etl_replay_v2(${WRITE_ARGUMENTS}, $26::text, $27::text)`, values: [...parameters, 'mallory', 'INC-0'] });
    };
    const refused = (promise: Promise<unknown>, message: RegExp, code = 'P0001') =>
      assert.rejects(promise, (error: { code?: string; message: string }) => {
        assert.equal(error.code, code);
        assert.match(error.message, message);
        return true;
      });
    const loginsNow = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM user_logins')).rows[0]?.n;
    await refused(call('never-quarantined', sentTimestamp), /is not quarantined with a sealed body/);
    await refused(call(id, sentTimestamp, '00000000-0000-4000-8000-000000000000'), /is not quarantined with a sealed body under data key/);
    await refused(call(id, sentTimestamp + 86_400_000), /keeps the time its message was sent/);
    await refused(call(id, sentTimestamp, q.body_dek_id, 'quarantine'), /exactly one login and writes no quarantine row/, '22023');
    const logins = await loginsNow();
    await refused(call(id, sentTimestamp, q.body_dek_id, 'logins'), /every login array holds one element/, '22023');
    assert.equal(await loginsNow(), logins, 'arrays of unequal length land nothing');
    assert.equal(await loginRow(id), undefined);
    assert.equal(await loginRow('never-quarantined'), undefined);
    assert.deepEqual(await auditOf(id), []);

    const { rows } = await call(id, sentTimestamp);
    assert.equal(rows[0]?.out_outcome, 'replayed');
    assert.equal(await quarantineRow(id), undefined);
    assert.deepEqual((await auditOf(id)).map((a) => [a.requested_by, a.stated_operator, a.outcome]), [[OPERATOR, 'mallory', 'replayed']], 'the function writes its own audit row');
  });

  it('only operators may call the replay functions, which run as their owner with a pinned search_path; the pipeline gains nothing, the operator no write grant', async () => {
    const fns = await db.pool.query<{ fn: string; definer: boolean; owner: string; config: string[]; operator: boolean; writer: boolean; analyst: boolean; public: boolean }>(
      `SELECT p.proname AS fn, p.prosecdef AS definer, pg_get_userbyid(p.proowner) AS owner, p.proconfig AS config,
              has_function_privilege('login_etl_operator', p.oid, 'EXECUTE') AS operator,
              has_function_privilege('login_etl_writer', p.oid, 'EXECUTE') AS writer,
              has_function_privilege('login_etl_analyst', p.oid, 'EXECUTE') AS analyst,
              EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a WHERE a.grantee = 0) AS public
       FROM pg_proc p WHERE p.proname IN ('login_etl_audit_replay', 'login_etl_replay_v1', 'login_etl_replay_v2', 'login_etl_requarantine_v1') ORDER BY 1`,
    );
    const admin = (await db.pool.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u;
    const pinned = ['search_path=pg_catalog, public, pg_temp'];
    assert.deepEqual(fns.rows, [
      // The audit row's insert, for the two below only: with their rights, callable by nobody else.
      { fn: 'login_etl_audit_replay', definer: false, owner: admin, config: pinned, operator: false, writer: false, analyst: false, public: false },
      ...['login_etl_replay_v1', 'login_etl_replay_v2', 'login_etl_requarantine_v1'].map((fn) => ({
        fn, definer: true, owner: admin, config: pinned, operator: true, writer: false, analyst: false, public: false,
      })),
    ]);
    const refused = (client: pg.Client, sql: string) =>
      assert.rejects(client.query(sql), (error: { code?: string }) => {
        assert.equal(error.code, '42501', `${sql}: expected 42501, got ${error.code}`);
        return true;
      });
    const pipeline = new pg.Client({ connectionString: db.pipelineUrl });
    await pipeline.connect();
    try {
      await refused(pipeline, `SELECT login_etl_requarantine_v1('m', 'invalid_json', 'd', 'o', 'r')`);
      await refused(pipeline, `SELECT login_etl_replay_v1(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
      await refused(pipeline, `SELECT login_etl_replay_v2(${Array(27).fill('NULL').join(', ')})`);
    } finally {
      await pipeline.end();
    }
    await refused(operator, `INSERT INTO user_logins (message_id, user_id) VALUES ('forged', 'u')`);
    await refused(operator, `UPDATE user_logins SET device_type = 'x'`);
    await refused(operator, 'DELETE FROM user_logins');
    await refused(operator, `INSERT INTO pii_vault SELECT * FROM pii_vault LIMIT 1`);
    await refused(operator, 'DELETE FROM user_logins_quarantine');
    await refused(operator, `UPDATE user_logins_quarantine SET reason = 'x', detail = 'y'`);
    await refused(operator, `INSERT INTO user_logins_quarantine (message_id, reason, detail) VALUES ('m', 'r', 'd')`);
    await refused(operator, 'UPDATE pii_unmask_audit SET outcome = $$ok$$');
    await refused(operator, 'DELETE FROM pii_unmask_audit');
    await refused(operator, `SELECT login_etl_write_v2(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    await refused(operator, `SELECT login_etl_write_v3(${Array(25).fill('NULL').join(', ')})`);
    await refused(operator, 'ALTER FUNCTION login_etl_replay_v1 RESET search_path');
    await refused(operator, 'ALTER FUNCTION login_etl_replay_v2 RESET search_path');
    await refused(operator, `SELECT login_etl_audit_replay('m', 'replayed', 'o', 'r')`);
  });

  it('no table holds a replayed sample ip or device id in plain text', async () => {
    const replayed = [1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((i) => [sample(i).ip, sample(i).device_id]);
    assert.deepEqual(await scanDatabaseForPii(db.pool, replayed), []);
  });
});

/** Until some session waits for a lock on `table`. */
async function waitForLockWait(db: TestDatabase, table: string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const { rows } = await db.pool.query(
      `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE NOT l.granted AND c.relname = $1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [table],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`nobody waited for ${table}`);
}
