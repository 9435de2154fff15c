import { execFileSync, spawn } from 'node:child_process';
import { UsageError } from '../tools/lib/cli.js';

export interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `<node> <args>` to completion; `ms` is from spawn to exit, as the caller sees it. */
export function timeNode(node: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      child.once('close', () => resolve({ ms, code, stdout, stderr }));
    });
  });
}

/** The last JSON line a runner printed, checked for a clean exit. */
export function lastJsonLine<T>(run: Timed, what: string): T {
  const line = run.stdout.trim().split('\n').pop();
  if (run.code !== 0 || !line) throw new Error(`${what}: runner exited with ${run.code}: ${run.stderr.trim().slice(0, 500)}`);
  return JSON.parse(line) as T;
}

/** The version of a node binary given with --node, or a usage error naming it. */
export function nodeVersion(node: string): string {
  try {
    return execFileSync(node, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (error) {
    throw new UsageError(`--node ${node}: cannot run it (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
}
