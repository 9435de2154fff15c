/**
 * The scheduled maintenance function (lambda/maintain-handler.ts) run as the
 * Lambda runtime runs it, in a child process, against a migrated database,
 * signed in as login_etl_maintenance as in AWS: what it creates, logs and
 * emits, and how it fails.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAINTENANCE_LOGIN } from '../../lambda/db/login-names.js';
import { METRIC_NAMESPACE_DEFAULT, MetricName, SERVICE_DIMENSION } from '../../lambda/observability/metric-names.js';
import { provisionLocalMaintenanceLogin } from '../../tools/lib/local-logins.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { repoRoot, runScript } from '../support/run-tool.js';

interface Action {
  action: string;
  target: string;
  detail: string;
}

const runtime = path.join(repoRoot, 'test', 'support', 'maintain-runtime.ts');
const SERVICE = 'login-etl-maintain-test';

/** One invocation in a fresh process (a cold start), as the schedule makes it. */
async function invoke(env: NodeJS.ProcessEnv) {
  const run = await runScript(runtime, [], { POWERTOOLS_SERVICE_NAME: SERVICE, DB_CONNECT_TIMEOUT_MS: '2000', ...env });
  assert.equal(run.code, 0, run.stderr);
  // Powertools writes errors to stderr, the rest (and EMF) to stdout.
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const result = /^RESULT (.*)$/m.exec(run.stderr)?.[1];
  return {
    ...run,
    actions: result === undefined ? undefined : (JSON.parse(result) as Action[]),
    thrown: /^THROWN (.*)$/m.exec(run.stderr)?.[1],
    initFailed: /^INIT FAILED (.*)$/m.exec(run.stderr)?.[1],
    logs: lines.filter((l) => !('_aws' in l)),
    metric: (name: string) =>
      lines
        .filter((l) => '_aws' in l && name in l)
        .map((l) => {
          const { Namespace } = (l._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0] ?? {};
          assert.equal(Namespace, METRIC_NAMESPACE_DEFAULT);
          assert.equal(l[SERVICE_DIMENSION], SERVICE);
          return Number(l[name]);
        }),
  };
}

/** `user_logins_pYYYYMM` for this month (UTC) and the `ahead` after it. */
function monthsFromNow(ahead: number): string[] {
  const now = new Date();
  return Array.from({ length: ahead + 1 }, (_, i) => {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + i, 1));
    return `user_logins_p${month.toISOString().slice(0, 7).replace('-', '')}`;
  });
}

/** No stack frame and no connection string (with its password) in anything the run printed. */
function assertNothingLeaked(run: { stdout: string; stderr: string }, url: string): void {
  const printed = run.stdout + run.stderr;
  assert.doesNotMatch(printed, /\n\s+at /, 'no stack trace');
  assert.ok(!printed.includes(new URL(url).password || '\u0000'), 'no password');
  assert.ok(!printed.includes(url), 'no connection string');
}

describe('scheduled maintenance function', () => {
  let db: TestDatabase;
  let maintenanceUrl: string;
  const partitions = async () =>
    (
      await db.pool.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'user_logins'::regclass ORDER BY 1`,
      )
    ).rows.map((r) => r.name);

  before(async () => {
    db = await createTestDatabase('maintain_handler');
    const admin = await db.pool.connect();
    try {
      maintenanceUrl = await provisionLocalMaintenanceLogin(admin, db.adminUrl);
    } finally {
      admin.release();
    }
    assert.equal(new URL(maintenanceUrl).username, MAINTENANCE_LOGIN);
  });
  after(async () => db.drop());

  it('as login_etl_maintenance, creates the months ahead, logs each action and emits MaintenanceSucceeded; then has nothing to do', async () => {
    // The most months ahead a run may keep: more than the migration creates.
    const wanted = monthsFromNow(24);
    const before = await partitions();
    const missing = wanted.filter((p) => !before.includes(p));
    assert.ok(missing.length > 0, `the migration leaves fewer than 24 months ahead: ${before.join(', ')}`);

    const run = await invoke({ DATABASE_URL: maintenanceUrl, PARTITION_MONTHS_AHEAD: '24' });
    assert.equal(run.thrown, undefined, run.stderr);
    assert.ok(run.actions, run.stderr);
    const created = run.actions.filter((a) => a.action === 'create_partition').map((a) => a.target);
    assert.deepEqual(created, missing);
    const after = await partitions();
    for (const p of wanted) assert.ok(after.includes(p), `${p} exists`);

    const logged = run.logs.filter((l) => l.message === 'maintenance action');
    assert.deepEqual(
      logged.map((l) => ({ action: l.action, target: l.target, detail: l.detail })),
      run.actions,
    );
    const done = run.logs.find((l) => l.message === 'maintenance done');
    assert.equal(done?.actions, run.actions.length);
    assert.equal(done?.monthsAhead, 24);
    assert.deepEqual(run.metric(MetricName.MaintenanceSucceeded), [1]);
    assert.deepEqual(run.metric(MetricName.MaintenanceActions), [run.actions.length]);
    assertNothingLeaked(run, maintenanceUrl);

    const again = await invoke({ DATABASE_URL: maintenanceUrl, PARTITION_MONTHS_AHEAD: '24' });
    assert.deepEqual(again.actions, []);
    assert.deepEqual(again.metric(MetricName.MaintenanceSucceeded), [1]);
    assert.deepEqual(again.metric(MetricName.MaintenanceActions), [0]);
  });

  it('as another login (the pipeline’s) it throws: the maintenance function is not granted to it, and no success is counted', async () => {
    // The last month ahead missing again, so a run that could create it would.
    await db.pool.query(`DROP TABLE ${monthsFromNow(24).at(-1) as string}`);
    const before = await partitions();
    const run = await invoke({ DATABASE_URL: db.pipelineUrl, PARTITION_MONTHS_AHEAD: '24' });
    assert.equal(run.thrown, 'MaintenanceFailedError: maintenance failed: permission denied for function login_etl_maintain_v1 (SQLSTATE 42501)');
    const error = run.logs.find((l) => l.level === 'ERROR');
    assert.equal(error?.message, 'maintenance failed');
    assert.deepEqual(error?.error, { type: 'error', message: 'permission denied for function login_etl_maintain_v1', code: '42501' });
    assert.deepEqual(run.metric(MetricName.MaintenanceSucceeded), []);
    assert.deepEqual(await partitions(), before, 'nothing created');
    assertNothingLeaked(run, db.pipelineUrl);
  });

  it('on a database without the maintenance function it throws one line naming what is missing', async () => {
    const bare = await createTestDatabase('maintain_handler_bare', { migrate: false });
    try {
      const url = new URL(maintenanceUrl);
      url.pathname = `/${bare.name}`;
      const run = await invoke({ DATABASE_URL: url.toString() });
      assert.match(run.thrown ?? '', /^MaintenanceFailedError: maintenance failed: function login_etl_maintain_v1\(integer, integer, integer, boolean\) does not exist \(SQLSTATE 42883\)$/);
      assertNothingLeaked(run, url.toString());
    } finally {
      await bare.drop();
    }
  });

  it('with the database unreachable it throws naming the socket error, not a SQLSTATE', async () => {
    const url = new URL(maintenanceUrl);
    url.port = '1';
    const run = await invoke({ DATABASE_URL: url.toString() });
    assert.equal(run.thrown, 'MaintenanceFailedError: maintenance failed: connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)');
    assertNothingLeaked(run, url.toString());
  });

  it('a bad setting fails the cold start, naming its variable and what it expects', async () => {
    const run = await invoke({ DATABASE_URL: maintenanceUrl, RETENTION_MONTHS: '0' });
    assert.equal(run.initFailed, 'ConfigError: configuration: RETENTION_MONTHS is "0": expected a whole number from 1 to 1200');
    assert.equal(run.actions, undefined);
  });
});
