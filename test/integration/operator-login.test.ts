import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { repoRoot, runTool, type ToolRun } from '../support/run-tool.js';

/** The tool with `input` on stdin. */
function withStdin(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tools', 'operator-login.ts'), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('npm run operator-login', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const urlAs = (login: string, password: string) => {
    const u = new URL(db.adminUrl);
    u.username = login;
    u.password = password;
    return u.toString();
  };
  const whoAmI = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ u: string; super: boolean; operator: boolean; writer: boolean }>(
        `SELECT session_user AS u, rolsuper AS super, pg_has_role(session_user, 'login_etl_operator', 'MEMBER') AS operator,
                pg_has_role(session_user, 'login_etl_writer', 'MEMBER') AS writer FROM pg_roles WHERE rolname = session_user`,
      )).rows[0];
    } finally {
      await client.end();
    }
  };

  before(async () => {
    db = await createTestDatabase('operator_login');
    env = { DATABASE_URL: db.adminUrl };
  });
  after(async () => db.drop());

  it('gives a named person an operator login with a generated password, shown once', async () => {
    const run = await runTool('operator-login', ['--name', 'olt_alice'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^login_etl_op_olt_alice: ready, a member of login_etl_operator only/m);
    const password = /^password \(shown once, not stored\): (\S+)$/m.exec(run.stdout)?.[1] ?? assert.fail(run.stdout);
    assert.ok(password.length >= 32);
    assert.deepEqual(await whoAmI(urlAs('login_etl_op_olt_alice', password)), {
      u: 'login_etl_op_olt_alice', super: false, operator: true, writer: false,
    });
  });

  it('takes the password from stdin, never from the command line, and prints none', async () => {
    const password = 'Correct-Horse-Battery-9';
    const run = await withStdin(['--name', 'olt_bob', '--password-stdin'], env, `${password}\n`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.includes(password), false);
    assert.doesNotMatch(run.stdout, /password \(shown once/);
    assert.equal((await whoAmI(urlAs('login_etl_op_olt_bob', password)))?.u, 'login_etl_op_olt_bob');

    const short = await withStdin(['--name', 'olt_bob', '--password-stdin'], env, 'short\n');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 16 printable ASCII characters/);
    const onTheLine = await runTool('operator-login', ['--name', 'olt_bob', '--password', password], env);
    assert.equal(onTheLine.code, 2, 'there is no --password option');
    assert.equal(onTheLine.stderr.includes(password), false);
  });

  it('refuses a name that is not a short lowercase identifier, and retires a login', async () => {
    const bad = await runTool('operator-login', ['--name', 'Bob Smith'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^operator-login: --name: operator name "Bob Smith" must be 2-30 characters/);

    const made = await runTool('operator-login', ['--name', 'olt_carol'], env);
    const password = /^password \(shown once, not stored\): (\S+)$/m.exec(made.stdout)?.[1] ?? assert.fail(made.stdout);
    const retired = await runTool('operator-login', ['--name', 'olt_carol', '--retire'], env);
    assert.equal(retired.code, 0, retired.stderr);
    assert.match(retired.stdout, /login_etl_op_olt_carol: retired/);
    await assert.rejects(whoAmI(urlAs('login_etl_op_olt_carol', password)), { code: '28000' });
  });
});
