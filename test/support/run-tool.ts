import { spawn, type ChildProcess } from 'node:child_process';
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

export interface StartedScript {
  child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** The exit code once the process has closed. */
  exited: Promise<number | null>;
}

/** Starts a TypeScript file in a fresh node process with a minimal environment, collecting its output. */
export function startScript(file: string, args: string[], env: NodeJS.ProcessEnv): StartedScript {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** Runs a TypeScript file to its end (killed after `timeoutMs`). */
export async function runScript(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ToolRun> {
  const started = startScript(file, args, env);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await started.exited;
    return { code, ...started.output() };
  } finally {
    clearTimeout(timer);
  }
}
