import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, shareLocalLogins, type TestDatabase } from '../support/database.js';
import { repoRoot, runTool, startScript, type StartedScript } from '../support/run-tool.js';
import { exampleLogin, findPii } from '../support/samples.js';

describe('npm run demo', () => {
  let db: TestDatabase;
  let dataDir: string;
  before(async () => {
    db = await createTestDatabase('demo', { migrate: false });
    dataDir = mkdtempSync(path.join(tmpdir(), 'login-etl-demo-'));
    // As root, the embedded server runs as the 'postgres' user, who must reach the cluster.
    chmodSync(dataDir, 0o755);
  });
  after(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses the server at DATABASE_URL, migrates it, and is idempotent on a second run', async () => {
    const env = { DATABASE_URL: db.adminUrl, LOGIN_ETL_DATA_DIR: dataDir };
    await shareLocalLogins(dataDir);
    const first = await runTool('demo', [], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /database: DATABASE_URL/);
    assert.match(first.stdout, /applied 001_user_logins/);
    assert.match(first.stdout, /^login: +the handler ran as login_etl_pipeline \(not a superuser\)/m);
    assert.match(first.stdout, /100 received: 99 written, 0 duplicate, 1 quarantined \(schema_violation: 1\), 0 failed/);
    assert.match(first.stdout, /user_logins 99 rows, user_logins_quarantine 1, 99 with sealed originals/);
    assert.deepEqual(findPii(first.stdout + first.stderr), []);

    const second = await runTool('demo', [], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /100 received: 0 written, 100 duplicate/);
    assert.match(second.stdout, /user_logins 99 rows/);
  });

  it('starts an embedded PostgreSQL when DATABASE_URL is not set', { timeout: 120_000 }, async () => {
    const env = { LOGIN_ETL_DATA_DIR: path.join(dataDir, 'embedded') };
    const run = await runTool('demo', [], env, 120_000);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /initialising embedded PostgreSQL/);
    assert.match(run.stdout, /database: embedded PostgreSQL/);
    assert.match(run.stdout, /99 written/);
    assert.match(run.stdout, /^login: +the handler ran as login_etl_pipeline \(not a superuser\)/m);
    assert.deepEqual(findPii(run.stdout + run.stderr), []);

    const reuse = await runTool('demo', [], env, 120_000);
    assert.equal(reuse.code, 0, reuse.stderr);
    assert.doesNotMatch(reuse.stdout, /initialising/, 'the cluster is reused');
    assert.match(reuse.stdout, /0 written, 100 duplicate/, 'keys and data persisted between runs');

    // A server another tool already runs on the cluster is shared, and left running.
    const owner = startScript(path.join(repoRoot, 'test', 'support', 'embedded-owner.ts'), [], env);
    try {
      const url = await ownerUrl(owner);
      const shared = await runTool('demo', [], env, 120_000);
      assert.equal(shared.code, 0, shared.stderr);
      assert.match(shared.stdout, /already running on 127\.0\.0\.1:\d+; sharing it/);
      // Without DATABASE_URL, unmask connects as the OS user's own operator login, never the admin.
      const unmasked = await runTool('unmask', ['--user-id', exampleLogin.user_id, '--reason', 'SUP-9'], { ...env, USER: 'dave' }, 120_000);
      assert.equal(unmasked.code, 0, unmasked.stderr);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = await client.query<{ n: string }>('SELECT count(*) AS n FROM user_logins');
      const audit = await client.query('SELECT requested_by, stated_operator FROM pii_unmask_audit');
      await client.end();
      assert.equal(rows.rows[0]?.n, '99', 'the owner\'s server still runs after the demo ended');
      assert.deepEqual(audit.rows, [{ requested_by: 'login_etl_op_dave', stated_operator: 'dave' }]);
    } finally {
      owner.child.kill('SIGTERM');
      await owner.exited;
    }
  });
});

/** The URL the owner process prints once its server runs. */
async function ownerUrl(owner: StartedScript): Promise<string> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    const ready = /^READY (\S+)$/m.exec(owner.output().stdout);
    if (ready?.[1]) return ready[1];
    if (owner.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the owner's server did not start: ${owner.output().stderr}`);
}
