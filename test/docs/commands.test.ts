import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { keyringJson, kekFile } from '../support/keys.js';
import { repoRoot, runTool } from '../support/run-tool.js';
import { findPii } from '../support/samples.js';
import { startSqsEmulator, type SqsEmulator } from '../support/sqs-emulator.js';

/**
 * The docs cannot rot: every `npm run …`, `npm test` and `npx cdk …` line in a
 * fenced block of README.md or docs/*.md names a real script and real files,
 * and every one that can run on this machine is run, placeholders filled with
 * real values. AWS-only commands (cdk deploy, real queue URLs) are checked
 * for their script only; `cdk synth` itself runs in test/infra.
 */
interface DocCommand {
  file: string;
  line: string;
  script: string;
  args: string[];
}

function docCommands(): DocCommand[] {
  const files = ['README.md', ...readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const out: DocCommand[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(repoRoot, file), 'utf8');
    for (const block of text.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)) {
      const lines = (block[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n');
      for (const raw of lines) {
        const line = raw.replace(/^\$\s+/, '').replace(/\s+#.*$/, '').trim();
        for (const part of line.split('&&').map((p) => p.trim())) {
          const m = /^npm run ([\w:-]+)(?: -- (.*))?$/.exec(part) ?? /^npm (test)$/.exec(part);
          if (m) out.push({ file, line: part, script: m[1] as string, args: (m[2] ?? '').split(/\s+/).filter(Boolean) });
          else if (/^npx cdk /.test(part)) out.push({ file, line: part, script: 'cdk', args: [] });
        }
      }
    }
  }
  return out;
}

const commands = docCommands();
const scripts = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

describe('commands in the docs', () => {
  it('name scripts and files that exist', () => {
    assert.ok(commands.length > 20, `found ${commands.length} commands`);
    for (const c of commands) {
      if (c.script === 'cdk') continue;
      if (c.script !== 'install') assert.ok(scripts[c.script] || c.script === 'test', `${c.file}: "${c.line}": no script ${c.script}`);
      for (const arg of c.args.filter((a) => /^(test|docs|lambda|tools|bench|infra)\//.test(a))) {
        assert.ok(existsSync(path.join(repoRoot, arg)), `${c.file}: "${c.line}": ${arg} does not exist`);
      }
    }
  });

  describe('run here', () => {
    let db: TestDatabase;
    let sqs: SqsEmulator;
    let env: NodeJS.ProcessEnv;
    before(async () => {
      db = await createTestDatabase('docs');
      sqs = await startSqsEmulator();
      const { queue } = await sqs.createQueueWithDlq('login-queue', { maxReceiveCount: 5, visibilityTimeout: 30 });
      env = {
        DATABASE_URL: db.adminUrl,
        MASKING_KEYS: keyringJson(),
        VAULT_KEK_FILE: kekFile(),
        SQS_QUEUE_URL: queue.url,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        AWS_REGION: 'us-east-1',
      };
    });
    after(async () => {
      await sqs.stop();
      await db.drop();
    });

    /** Placeholders → real values; undefined when the command only makes sense on AWS. */
    async function concrete(c: DocCommand): Promise<string[] | undefined> {
      if (c.args.some((a) => /amazonaws\.com|^URL$|…/.test(a))) return undefined;
      const row = (await db.pool.query<{ user_id: string; masked_ip: string; masked_device_id: string }>(
        'SELECT user_id, masked_ip, masked_device_id FROM user_logins ORDER BY sent_at LIMIT 1 OFFSET 3',
      )).rows[0];
      const quarantined = (await db.pool.query<{ message_id: string }>('SELECT message_id FROM user_logins_quarantine LIMIT 1')).rows[0];
      const args = c.args.join(' ').replace(/\[[^\]]*\]/g, '').split(/\s+/).filter(Boolean);
      return args.map((a, i) => {
        if (a === 'path/to/event.json') return 'test/fixtures/small-event.json';
        if (a === '<token>') return args[i - 1] === '--masked-device-id' ? (row?.masked_device_id as string) : (row?.masked_ip as string);
        if (a === '<id>') return row?.user_id as string;
        if (a === '<message-id>') return quarantined?.message_id as string;
        // LocalStack addresses in the docs → the emulator started here.
        if (args[i - 1] === '--queue-url' && /:4566\//.test(a)) return env.SQS_QUEUE_URL as string;
        if (args[i - 1] === '--endpoint' && /:4566$/.test(a)) return sqs.endpoint;
        return a.replace(/^"(.*)"$/, '$1');
      });
    }

    const order = ['migrate', 'operator-login', 'invoke', 'send', 'consume', 'redrive', 'lookup', 'unmask', 'replay', 'forget'];
    const runnable = commands
      .filter((c) => order.includes(c.script))
      .sort((a, b) => order.indexOf(a.script) - order.indexOf(b.script));

    it('every local command exits as documented and prints no sample PII (but unmask)', { timeout: 300_000 }, async (t) => {
      let ran = 0;
      for (const c of runnable) {
        const args = await concrete(c);
        if (!args) continue;
        if (c.script === 'consume' && !args.includes('--drain')) args.push('--drain');
        // The operator tools connect as an operator's own login; the others are given the admin and run the handler as the pipeline.
        const login = ['unmask', 'forget', 'replay'].includes(c.script) ? { DATABASE_URL: await db.operatorUrl() } : {};
        const run = await runTool(c.script, args, { ...env, ...login }, 120_000);
        assert.equal(run.code, 0, `${c.file}: "${c.line}" exited ${run.code}: ${run.stderr}`);
        if (c.script !== 'unmask') assert.deepEqual(findPii(run.stdout + run.stderr), [], `${c.line} printed PII`);
        ran += 1;
      }
      t.diagnostic(`ran ${ran} documented commands`);
      assert.ok(ran >= 10);
    });
  });
});
