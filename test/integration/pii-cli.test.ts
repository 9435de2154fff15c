import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../lambda/config.js';
import { LoginEtl } from '../../lambda/login-etl.js';
import { parseKeyring } from '../../lambda/masking/keyring.js';
import { LocalKek } from '../../lambda/vault/key-encryption-key.js';
import { repoRoot } from '../../tools/lib/paths.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { keyringJson } from '../support/keys.js';
import { findPii, sampleBodies, sampleLogins, type SampleLogin } from '../support/samples.js';

process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';

const samples = sampleLogins;
const sample = (i: number): SampleLogin => samples[i] ?? assert.fail(`no sample ${i}`);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the PII command-line tools', () => {
  let db: TestDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  /** Everything the tools other than unmask printed: checked for PII at the end. */
  const quietOutputs: string[] = [];

  const cli = (tool: string, args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join('tools', `${tool}.ts`), ...args], {
        cwd: repoRoot,
        env: { ...env, ...extra },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (tool !== 'unmask') quietOutputs.push(stdout, stderr);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  const ingest = async (bodies: string[], idPrefix: string) => {
    const etl = new LoginEtl(loadConfig({ ...env, DATABASE_URL: db.pipelineUrl }));
    try {
      return await etl.process(sqsEvent(bodies, { idPrefix }));
    } finally {
      await etl.close();
    }
  };
  const rowsOf = async (userId: string) =>
    (await db.pool.query<{ masked_ip: string; masked_device_id: string; key_version: string }>(
      'SELECT masked_ip, masked_device_id, key_version FROM user_logins WHERE user_id = $1 ORDER BY ingested_at', [userId],
    )).rows;
  const auditCount = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM pii_unmask_audit')).rows[0]?.n);

  before(async () => {
    db = await createTestDatabase('pii_cli');
    dir = mkdtempSync(path.join(tmpdir(), 'login-etl-pii-cli-'));
    const keyringFile = path.join(dir, 'masking-keyring.json');
    const kekFile = path.join(dir, 'vault-kek.json');
    writeFileSync(keyringFile, keyringJson(), { mode: 0o600 });
    writeFileSync(kekFile, LocalKek.generateFileContent(), { mode: 0o600 });
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MASKING_|VAULT_|DATABASE_URL)/.test(k)));
    env = {
      ...inherited,
      // The operator tools connect as the operator's own login, never the admin.
      DATABASE_URL: await db.operatorUrl(),
      MASKING_KEYS_FILE: keyringFile,
      VAULT_KEK_FILE: kekFile,
      // Nothing of the developer's .data/ is read or written.
      LOGIN_ETL_DATA_DIR: path.join(dir, 'data'),
      USER: 'dave',
    };
    assert.equal((await ingest(sampleBodies, 'cli')).counts.written, 99);
  });
  after(async () => {
    await db.drop();
  });

  it('lookup prints the tokens of an ip or a device id, and they find the rows', async () => {
    const s = sample(12);
    const [row] = await rowsOf(s.user_id);
    const run = await cli('lookup', ['--ip', s.ip, '--device-id', s.device_id]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.includes(row?.masked_ip ?? '-'), run.stdout);
    assert.ok(run.stdout.includes(row?.masked_device_id ?? '-'), run.stdout);
    assert.match(run.stdout, /masked_ip \(ip\): 1 key version\n {2}v1 +[0-9a-f]{64} +\(current\)/);

    const bad = await cli('lookup', ['--ip', '300.1.2.3']);
    assert.deepEqual([bad.code, bad.stdout], [2, '']);
    assert.equal(bad.stderr, 'lookup: --ip is not an IPv4 or IPv6 address\n');
    const noKeys = await cli('lookup', ['--ip', s.ip], { MASKING_KEYS_FILE: '' });
    assert.equal(noKeys.code, 2);
    assert.match(noKeys.stderr, /no masking keyring/);
  });

  it('unmask prints the originals, audited, and only with a reason', async () => {
    const s = sample(20);
    const before = await auditCount();
    const refused = await cli('unmask', ['--user-id', s.user_id]);
    assert.deepEqual([refused.code, refused.stdout], [2, '']);
    assert.match(refused.stderr, /^unmask: --reason is required/);
    const ipInReason = await cli('unmask', ['--user-id', s.user_id, '--reason', `complaint about ${s.ip}`]);
    assert.equal(ipInReason.code, 2);
    assert.equal(await auditCount(), before, 'a refused request reads nothing and writes nothing');

    const run = await cli('unmask', ['--user-id', s.user_id, '--reason', 'SUP-42']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', new RegExp(`^ip +${s.ip.replaceAll('.', '\\.')} +masked_ip=[0-9a-f]{64} +key=v1 +rows=1$`));
    assert.match(lines[1] ?? '', new RegExp(`^device_id +${s.device_id} +masked_device_id=[0-9a-f]{64} +key=v1 +rows=1$`));
    assert.deepEqual(findPii(run.stderr), [], 'notes on stderr carry no values');
    const audit = await db.pool.query('SELECT requested_by, stated_operator, subject, reason, outcome, values_returned FROM pii_unmask_audit ORDER BY id DESC LIMIT 1');
    assert.deepEqual(audit.rows, [
      { requested_by: 'login_etl_op_tester', stated_operator: 'dave', subject: s.user_id, reason: 'SUP-42', outcome: 'ok', values_returned: 2 },
    ], 'who is the login the tool authenticated as; the OS user is what it stated');

    const token = (await rowsOf(s.user_id))[0]?.masked_device_id ?? '';
    const byToken = await cli('unmask', ['--masked-device-id', token, '--reason', 'SUP-42', '--operator', 'erin']);
    assert.equal(byToken.code, 0, byToken.stderr);
    assert.match(byToken.stdout, new RegExp(`^device_id +${s.device_id} `));
  });

  it('unmask with a wrong key prints one line on stderr and nothing on stdout', async () => {
    const otherKek = path.join(dir, 'other-kek.json');
    writeFileSync(otherKek, LocalKek.generateFileContent(), { mode: 0o600 });
    const s = sample(21);
    const run = await cli('unmask', ['--user-id', s.user_id, '--reason', 'SUP-43'], { VAULT_KEK_FILE: otherKek });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^unmask: data key was wrapped by local-[0-9a-f]+, but the configured key is local-[0-9a-f]+\n$/);
    const missing = await cli('unmask', ['--user-id', s.user_id, '--reason', 'SUP-43'], { VAULT_KEK_FILE: path.join(dir, 'nope.json') });
    assert.deepEqual([missing.code, missing.stdout], [1, '']);
    assert.match(missing.stderr, /^unmask: VAULT_KEK_FILE .*nope\.json does not exist\n$/);
    const audit = await db.pool.query('SELECT outcome FROM pii_unmask_audit ORDER BY id DESC LIMIT 1');
    assert.deepEqual(audit.rows, [{ outcome: 'authentication_failed' }]);
  });

  it("unmask runs as another operator's login, and the pipeline's login gets a permission error", async () => {
    const s = sample(22);
    const operator = await cli('unmask', ['--user-id', s.user_id, '--reason', 'SUP-44'], { DATABASE_URL: await db.operatorUrl('tester2') });
    assert.equal(operator.code, 0, operator.stderr);
    const pipeline = await cli('unmask', ['--user-id', s.user_id, '--reason', 'SUP-44'], { DATABASE_URL: db.pipelineUrl });
    assert.deepEqual([pipeline.code, pipeline.stdout], [1, '']);
    assert.match(pipeline.stderr, /permission denied .*SQLSTATE 42501.*login_etl_operator/);
  });

  it('forget prints counts only; unmask then says erased', async () => {
    const s = sample(30);
    const refused = await cli('forget', ['--user-id', s.user_id]);
    assert.equal(refused.code, 2);
    const run = await cli('forget', ['--user-id', s.user_id, '--reason', 'DSR-1']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /forgotten at .* \(audit #\d+\)/);
    assert.match(run.stdout, /values now recoverable by no one: +1 ip, 1 device_id/);
    const after = await cli('unmask', ['--user-id', s.user_id, '--reason', 'DSR-1 check']);
    assert.deepEqual([after.code, after.stdout], [3, '']);
    assert.match(after.stderr, /erased on \d{4}-\d\d-\d\dT/);
  });

  it('rotate-key adds a current version; new rows use it, old rows stay matchable and readable', async () => {
    const file = env.MASKING_KEYS_FILE ?? '';
    const before = parseKeyring(readFileSync(file, 'utf8'), 't');
    const run = await cli('rotate-key', []);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /added v2, now current \(was v1\); versions held: v1, v2/);
    const after = parseKeyring(readFileSync(file, 'utf8'), 't');
    assert.equal(after.current, 'v2');
    assert.deepEqual(after.keys.get('v1'), before.keys.get('v1'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    for (const key of after.keys.values()) {
      for (const form of [key.toString('base64'), key.toString('hex'), key.toString('utf8')]) {
        assert.equal(run.stdout.includes(form) || run.stderr.includes(form), false, 'no key material in the output');
      }
    }

    // The same person logs in again: a new message, masked under v2.
    const s = sample(40);
    const body = sampleBodies.find((b) => b.includes(s.user_id)) ?? assert.fail('no body');
    assert.equal((await ingest([body], 'cli-after-rotation')).counts.written, 1);
    const rows = await rowsOf(s.user_id);
    assert.deepEqual(rows.map((r) => r.key_version), ['v1', 'v2']);
    assert.notEqual(rows[0]?.masked_ip, rows[1]?.masked_ip, 'same value, other version: another token');

    const lookup = await cli('lookup', ['--ip', s.ip]);
    assert.match(lookup.stdout, /2 key versions\n {2}v2 +[0-9a-f]{64} +\(current\)\n {2}v1 +[0-9a-f]{64}\n/);
    for (const r of rows) assert.ok(lookup.stdout.includes(r.masked_ip), 'lookup finds the rows of both versions');

    for (const r of rows) {
      const shown = await cli('unmask', ['--masked-ip', r.masked_ip, '--reason', 'SUP-45']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`key=${r.key_version} +rows=1\\n$`));
      assert.ok(shown.stdout.includes(s.ip));
    }

    const inline = await cli('rotate-key', [], { MASKING_KEYS_FILE: '', MASKING_KEYS: keyringJson({ v1: randomBytes(32) }) });
    assert.equal(inline.code, 2);
    assert.match(inline.stderr, /MASKING_KEYS holds the keyring inline/);
  });

  it('no tool but unmask ever printed a sample ip or device id', () => {
    assert.ok(quietOutputs.length >= 10);
    assert.deepEqual(findPii(quietOutputs.join('\n')), []);
  });
});
