import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../support/run-tool.js';

/**
 * The code keeps its shape: no unused files, exports or dependencies
 * (`npm run check:unused`: knip, configured in knip.json), and each part
 * imports only what it may (`npm run check:imports`: dependency-cruiser,
 * rules in .dependency-cruiser.cjs). A tool's findings are the failure message.
 */
const run = promisify(execFile);

async function findings(script: string): Promise<string> {
  try {
    await run('npm', ['run', '--silent', script], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    return `${stdout ?? ''}${stderr ?? ''}`.trim() || message;
  }
}

describe('code rules', () => {
  it('nothing unused: no file, export, type or dependency that nothing uses (knip)', { timeout: 120_000 }, async () => {
    assert.equal(await findings('check:unused'), '');
  });

  it('each part imports only what it may (dependency-cruiser)', { timeout: 120_000 }, async () => {
    assert.equal(await findings('check:imports'), '');
  });
});
