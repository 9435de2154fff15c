import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { runTool } from '../support/run-tool.js';
import { findPii, sampleBodies } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

describe('npm run maintain', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('maintain_cli');
    const etl = new LoginEtl(loadConfig(testEnv(db.pipelineUrl)));
    try {
      await etl.process(sqsEvent(sampleBodies.slice(0, 4), { idPrefix: 'cli-old', sentTimestamp: Date.UTC(2020, 1, 10) }));
    } finally {
      await etl.close();
    }
  });
  after(async () => db.drop());

  const inDefault = async () =>
    Number((await db.pool.query(`SELECT count(*) AS n FROM user_logins_default`)).rows[0].n);

  it('prints what it would do and changes nothing; --apply does it as login_etl_maintenance; then nothing is left to do', async () => {
    assert.equal(await inDefault(), 4);
    const env = { DATABASE_URL: db.adminUrl };
    const dry = await runTool('maintain', ['--retention-months', '1200'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^create_partition {2}user_logins_p202002 {2}2020-02-01 to 2020-03-01$/m);
    assert.match(dry.stdout, /^move_rows {9}user_logins_p202002 {2}4 rows from user_logins_default$/m);
    assert.match(dry.stdout, /^dry run: 2 actions would be taken, nothing changed; run again with --apply/m);
    assert.equal(await inDefault(), 4);

    const applied = await runTool('maintain', ['--retention-months', '1200', '--apply'], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /^done: 2 actions/m);
    assert.equal(await inDefault(), 0);
    const moved = await db.pool.query(`SELECT count(*)::int AS n FROM user_logins_p202002`);
    assert.equal(moved.rows[0].n, 4);

    // RETENTION_MONTHS from the environment: 2020 is past it, so the month goes.
    const retained = await runTool('maintain', ['--apply'], { ...env, RETENTION_MONTHS: '24' });
    assert.match(retained.stdout, /^drop_partition +user_logins_p202002 +2020-02-01 to 2020-03-01, about 4 rows$/m);
    assert.match(retained.stdout, /24 months of logins kept/);
    const again = await runTool('maintain', ['--apply'], { ...env, RETENTION_MONTHS: '24' });
    assert.match(again.stdout, /^nothing to do \(3 months ahead, 24 months of logins kept, quarantined bodies kept 14 days\)$/m);
    for (const run of [dry, applied, retained, again]) assert.deepEqual(findPii(run.stdout + run.stderr), []);
  });

  it('a bad setting is one line naming where it came from, exit 2', async () => {
    const flag = await runTool('maintain', ['--months-ahead', '25'], { DATABASE_URL: db.adminUrl });
    assert.deepEqual([flag.code, flag.stderr], [2, 'maintain: --months-ahead: expected a whole number from 1 to 24\n']);
    const env = await runTool('maintain', [], { DATABASE_URL: db.adminUrl, QUARANTINE_BODY_DAYS: 'two weeks' });
    assert.deepEqual([env.code, env.stderr], [2, 'maintain: QUARANTINE_BODY_DAYS: expected a whole number from 1 to 365\n']);
  });
});
