import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { repoRoot, runTool } from '../support/run-tool.js';
import { findPii } from '../support/samples.js';

const sampleEvent = path.join(repoRoot, 'test', 'fixtures', 'sample-event.json');

describe('npm run invoke', () => {
  let db: TestDatabase;
  let dir: string;
  before(async () => {
    db = await createTestDatabase('invoke_cli');
    dir = mkdtempSync(path.join(tmpdir(), 'login-etl-invoke-'));
  });
  after(async () => db.drop());

  it('runs the handler on a SAM-style event and prints the response and a summary', async () => {
    const run = await runTool('invoke', [sampleEvent], testEnv(db.adminUrl));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { batchItemFailures: [] });
    assert.match(run.stderr, /100 received: 99 written, 0 duplicate, 1 quarantined \(schema_violation: 1\), 0 failed; 0 to redeliver/);
    assert.match(run.stderr, /^the handler ran as login_etl_pipeline \(not a superuser\)$/m, 'DATABASE_URL is the admin; the handler is not');
    assert.deepEqual(findPii(run.stdout + run.stderr), []);

    const again = await runTool('invoke', [sampleEvent], testEnv(db.adminUrl));
    assert.match(again.stderr, /100 received: 0 written, 100 duplicate/);
  });

  it('fills in what a hand-written event leaves out', async () => {
    const file = path.join(dir, 'minimal.json');
    writeFileSync(file, JSON.stringify({ Records: [{ messageId: 'hand-1', body: '{"user_id":"u","device_type":"ios","ip":"::1","device_id":"d-1","app_version":"1.2"}' }] }));
    const run = await runTool('invoke', [file], testEnv(db.adminUrl));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /1 received: 1 written/);
  });

  it('names the file and the problem when the event is unusable', async () => {
    const cases: [string, string | null, RegExp][] = [
      ['missing.json', null, /missing\.json: no such file/],
      ['broken.json', '{"Records": [', /broken\.json: not valid JSON/],
      ['shape.json', '{"Records": [{"messageId": "a"}]}', /shape\.json: not an SQS event: Records\[0\]\.body: .*expected string/],
      ['norecords.json', '{"records": []}', /norecords\.json: not an SQS event: Records:/],
    ];
    for (const [name, content, expected] of cases) {
      const file = path.join(dir, name);
      if (content !== null) writeFileSync(file, content);
      const run = await runTool('invoke', [file], testEnv(db.adminUrl));
      assert.equal(run.code, 2, `${name}: ${run.stderr}`);
      assert.match(run.stderr, expected);
      assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, 'one line, no stack trace');
    }
    const twoKeks = await runTool('invoke', [sampleEvent], testEnv(db.adminUrl, { VAULT_KMS_KEY_ID: 'alias/k' }));
    assert.equal(twoKeks.code, 1, twoKeks.stderr);
    assert.match(twoKeks.stderr, /^invoke: configuration: VAULT_KEK_FILE \+ VAULT_KMS_KEY_ID are both set: give the vault key-encryption key one way only$/m);
    const usage = await runTool('invoke', [], testEnv(db.adminUrl));
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr, "invoke: <event.json> is required: the SQS event, as JSON\n");
  });
});
