import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './lib/command-line.js';
import { test as definition } from './lib/commands/local.js';
import { startLocalDatabase } from './lib/local-database.js';
import { repoRoot } from './lib/paths.js';

/**
 * npm test / npm run test:chaos: node's built-in test runner (with tsx) over
 * test/**\/*.test.ts and the bench's own unit tests (bench/test/**\/*.test.ts),
 * against a real Postgres: the server at DATABASE_URL when set, otherwise an
 * embedded one started here for the run. Each test file creates and drops its
 * own database on that server, so files run in parallel without sharing rows.
 * Node 20's runner does not expand globs, hence the file walk.
 */
function testFiles(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => path.relative(repoRoot, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

runCommand(definition, async ({ options: values, positionals }) => {
  // npm test runs everything, the reliability suite at its short size;
  // --chaos runs only the reliability suite, at full size.
  const files = positionals.length > 0 ? positionals : values.chaos ? testFiles('test/reliability') : [...testFiles('test'), ...testFiles('bench/test')];
  const database = await startLocalDatabase({ cluster: 'postgres-test', database: 'postgres', log: (l) => console.error(l) });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOGIN_ETL_TEST_SERVER_URL: database.serverUrl,
    ...(values.chaos ? { LOGIN_ETL_CHAOS: 'full' } : {}),
  };
  // Tests choose their database explicitly; an inherited one would leak into tools they spawn.
  delete env.DATABASE_URL;
  try {
    return await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
        { cwd: repoRoot, env, stdio: 'inherit' },
      );
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward).on('SIGTERM', forward);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await database.stop();
  }
});
