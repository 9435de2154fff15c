import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../run-tool.js';

export interface ConsumerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One `npm run consume` process (tools/consume.ts under tsx, as npm runs it),
 * with its output kept for the PII scan and the log tally, and the handles a
 * chaos run needs: started, exited, signals, RSS.
 */
export class ConsumerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout = '';
  stderr = '';
  exit?: ConsumerExit;
  /** Resolves once the schema is migrated and the first receive is about to go out. */
  readonly started: Promise<void>;
  readonly exited: Promise<ConsumerExit>;
  readonly startedAt = Date.now();

  constructor(
    readonly label: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tools', 'consume.ts'), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error(`${label}: consume did not start`);
    this.pid = this.child.pid;
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.started = new Promise((resolve, reject) => {
      this.child.stderr?.on('data', (d: Buffer) => {
        this.stderr += d.toString();
        if (/^consume: \S+ → /m.test(this.stderr)) resolve();
      });
      void this.exited.then((e) => reject(new Error(`${label} exited (${e.code ?? e.signal}) before it started: ${this.stderr.slice(-2000)}`)));
    });
    // The rejection is observed by whoever awaits `started`; never unhandled.
    this.started.catch(() => undefined);
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Resident set size in MB (Linux /proc), undefined once the process is gone. */
  rssMb(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
      return kb === undefined ? undefined : Number(kb) / 1024;
    } catch {
      return undefined;
    }
  }

  /** The closing summary line ("N received: ..."), when the process got to print it. */
  get summary(): string | undefined {
    return /^\d+ received: .*$/m.exec(this.stdout)?.[0];
  }
}
