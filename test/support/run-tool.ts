import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tools/<name>.ts` as users do (`npm run <name>` is tsx over the same file). */
export function runTool(name: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ToolRun> {
  return runScript(path.join(repoRoot, 'tools', `${name}.ts`), args, env, timeoutMs);
}

/** Runs a TypeScript file in a fresh node process with a minimal environment. */
export function runScript(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
