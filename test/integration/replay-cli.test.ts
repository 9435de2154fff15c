import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { LocalKek } from '../../lambda/vault/key-encryption-key.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { keyringJson } from '../support/keys.js';
import { runTool, type ToolRun } from '../support/run-tool.js';
import { findPii, sampleLogins, type SampleLogin } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const sample = (i: number): SampleLogin => sampleLogins[i] ?? assert.fail(`no sample ${i}`);
const USED = [11, 12, 13];
const bodies = [
  JSON.stringify({ ...sample(11), device_type: 'ios' }),
  JSON.stringify({ ...sample(12), device_type: 'ios' }),
  JSON.stringify({ ...sample(13), user_id: undefined }),
];
const ids = sqsEvent(bodies, { idPrefix: 'replay-cli' }).Records.map((r) => r.messageId) as [string, string, string];
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';

describe('npm run replay', () => {
  let db: TestDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  /** Every replay output: checked for the bodies' ip and device id at the end. */
  const outputs: string[] = [];
  const pii = USED.flatMap((i) => [sample(i).ip, sample(i).device_id]);

  const replay = async (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<ToolRun> => {
    const run = await runTool('replay', args, { ...env, ...extra });
    outputs.push(run.stdout, run.stderr);
    return run;
  };
  const count = async (table: string) => Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);

  before(async () => {
    db = await createTestDatabase('replay_cli');
    dir = mkdtempSync(path.join(tmpdir(), 'login-etl-replay-cli-'));
    const keyringFile = path.join(dir, 'masking-keyring.json');
    const kekFile = path.join(dir, 'vault-kek.json');
    writeFileSync(keyringFile, keyringJson(), { mode: 0o600 });
    writeFileSync(kekFile, LocalKek.generateFileContent(), { mode: 0o600 });
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MASKING_|VAULT_|DATABASE_URL|DB_|PG)/.test(k)));
    env = {
      ...inherited,
      DATABASE_URL: await db.operatorUrl('cli_replayer'),
      MASKING_KEYS_FILE: keyringFile,
      VAULT_KEK_FILE: kekFile,
      LOGIN_ETL_DATA_DIR: path.join(dir, 'data'),
      USER: 'dave',
    };
    // Two logins Postgres refuses (a CHECK they fail, dropped before --apply) and a body without user_id.
    await db.pool.query(`ALTER TABLE user_logins ADD CONSTRAINT replay_cli_no_ios CHECK (device_type <> 'ios') NOT VALID`);
    const etl = new LoginEtl(loadConfig({ ...env, DATABASE_URL: db.pipelineUrl }));
    try {
      const sent = Date.now() - 3_600_000;
      assert.equal((await etl.process(sqsEvent(bodies, { idPrefix: 'replay-cli', sentTimestamp: sent }))).counts.quarantined, 3);
    } finally {
      await etl.close();
    }
  });
  after(async () => {
    await db.drop();
  });

  it('the dry run lists message id, reason and dates, writes nothing and prints no personal value', async () => {
    const audits = await count('pii_unmask_audit');
    const run = await replay(['--quarantine-reason', 'rejected_by_database', '--reason', 'INC-23']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').sort();
    assert.equal(lines.length, 2);
    for (const [i, line] of lines.entries()) {
      assert.match(line, new RegExp(`^${[ids[0], ids[1]].sort()[i]} +rejected_by_database  quarantined ${ISO}  sent ${ISO}$`));
    }
    assert.equal(run.stderr, 'replay: dry run: 2 message(s) would be replayed; run again with --apply to replay them (each one audited)\n');
    assert.deepEqual([await count('user_logins'), await count('user_logins_quarantine'), await count('pii_unmask_audit')], [0, 3, audits]);

    const one = await replay(['--quarantine-reason', 'rejected_by_database', '--message-id', ids[1], '--reason', 'INC-23']);
    assert.match(one.stdout, new RegExp(`^${ids[1]} +rejected_by_database `));
    assert.equal(one.stdout.trim().split('\n').length, 1);
    const since = await replay(['--quarantine-reason', 'rejected_by_database', '--since', '2999-01-01', '--reason', 'INC-23']);
    assert.deepEqual([since.code, since.stdout], [0, '']);
    assert.equal(since.stderr, 'replay: no quarantined message matches (reason rejected_by_database, quarantined since 2999-01-01T00:00:00.000Z)\n');
    const earlier = await replay(['--quarantine-reason', 'rejected_by_database', '--since', '2020-01-01T00:00Z', '--reason', 'INC-23']);
    assert.equal(earlier.stdout.trim().split('\n').length, 2);
  });

  it('a wrong option or filter is one sentence and exit 2, before anything is read', async () => {
    const usage = async (args: string[], message: RegExp) => {
      const run = await replay(args);
      assert.deepEqual([run.code, run.stdout], [2, ''], `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    };
    // The filter's other rules: test/unit/tools/replay.test.ts.
    await usage(['--quarantine-reason', 'too_late', '--reason', 'INC-23'], /^replay: --quarantine-reason "too_late": expected one of invalid_json, not_an_object, schema_violation, rejected_by_database\n$/);
    await usage(['--quarantine-reason', 'rejected_by_database'], /^replay: --reason is required[^\n]*\n$/);
    await usage(['--quarantine-reason', 'rejected_by_database', '--reason', 'x', '--force'], /^replay: unknown option --force [^\n]*\n$/);
    const help = await replay(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: npm run replay -- --quarantine-reason <reason> \[--message-id <id>\]/);
  });

  it('--apply lands what now passes and keeps what still fails with its reason, audited as the login that ran it; again, it finds nothing', async () => {
    await db.pool.query('ALTER TABLE user_logins DROP CONSTRAINT replay_cli_no_ios');
    const run = await replay(['--quarantine-reason', 'rejected_by_database', '--reason', 'INC-23 constraint dropped', '--apply']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n').sort();
    assert.deepEqual(lines.map((l) => l.replace(/#\d+/, '#n')), [ids[0], ids[1]].sort().map((id) => `${id}  replayed: in user_logins, out of the quarantine (audit #n)`));
    assert.equal(run.stderr, 'replay: 2 replayed, 0 still quarantined, 0 erased\n');
    const landed = await db.pool.query<{ message_id: string }>('SELECT message_id FROM user_logins ORDER BY 1');
    assert.deepEqual(landed.rows.map((r) => r.message_id), [ids[0], ids[1]].sort());
    const audit = await db.pool.query('SELECT requested_by, stated_operator, subject_kind, subject, outcome FROM pii_unmask_audit ORDER BY id');
    assert.deepEqual(
      audit.rows.map((r) => ({ ...r, subject: '' })),
      [0, 1].map(() => ({ requested_by: 'login_etl_op_cli_replayer', stated_operator: 'dave', subject_kind: 'message_id', subject: '', outcome: 'replayed' })),
    );

    const still = await replay(['--quarantine-reason', 'schema_violation', '--reason', 'INC-23', '--apply']);
    assert.equal(still.code, 0, still.stderr);
    assert.match(still.stdout, new RegExp(`^${ids[2]}  still quarantined: schema_violation: "user_id: is required" \\(audit #\\d+\\)\\n$`));
    assert.equal(still.stderr, 'replay: 0 replayed, 1 still quarantined, 0 erased\n');

    const again = await replay(['--quarantine-reason', 'rejected_by_database', '--reason', 'INC-23', '--apply']);
    assert.deepEqual([again.code, again.stdout], [0, '']);
    assert.match(again.stderr, /^replay: no quarantined message matches/);
    assert.deepEqual([await count('user_logins'), await count('user_logins_quarantine')], [2, 1]);
  });

  it('the operator tools connect with the DB_* settings when DB_HOST or DB_SECRET_ARN is set without DATABASE_URL, and start no local database', async () => {
    const url = new URL(env.DATABASE_URL ?? '');
    const dataDir = path.join(dir, 'fresh-data');
    const settings: NodeJS.ProcessEnv = {
      ...env,
      DATABASE_URL: '',
      DB_HOST: url.hostname,
      DB_PORT: url.port,
      DB_NAME: url.pathname.slice(1),
      DB_USER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
      LOGIN_ETL_DATA_DIR: dataDir,
    };
    const listed = await replay(['--quarantine-reason', 'schema_violation', '--reason', 'INC-23'], settings);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${ids[2]} +schema_violation `));
    const forgotten = await runTool('forget', ['--user-id', 'nobody-at-all', '--reason', 'DSR-23'], settings);
    assert.equal(forgotten.code, 0, forgotten.stderr);
    const audit = await db.pool.query(`SELECT requested_by FROM pii_unmask_audit WHERE subject = 'nobody-at-all'`);
    assert.deepEqual(audit.rows, [{ requested_by: 'login_etl_op_cli_replayer' }], 'as the login DB_USER names');
    assert.equal(existsSync(dataDir), false, 'no embedded server, no demo keys');

    const noKeys = await replay(['--quarantine-reason', 'schema_violation', '--reason', 'INC-23'], { ...settings, MASKING_KEYS_FILE: '' });
    assert.deepEqual([noKeys.code, noKeys.stdout], [1, '']);
    assert.match(noKeys.stderr, /^replay: configuration: MASKING_KEYS \| MASKING_KEYS_FILE \| MASKING_SECRET_ARN is not set/, 'the demo keyring would match nothing there');
  });

  it('printed no ip or device id of the replayed bodies', () => {
    assert.ok(outputs.length >= 16);
    assert.deepEqual(findPii(outputs.join('\n'), pii), []);
  });
});
