import { fork, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { nodeOptions, SOURCE_MAPS_DEFAULT } from '../infra/bundling/function-bundle.js';
import { timeNode, type Timed } from './spawn.js';

/**
 * The production bundle's own processes (cold start, memory, concurrency):
 * the runner (bench/child/runner.ts, built to plain ESM) on `node`, loading
 * `bundle`, with files in the run's scratch directory and the environment the
 * function is deployed with.
 */
export class BundleProcesses {
  /** The handler's environment with NODE_OPTIONS as the stack deploys the function by default, whatever the caller's shell has. */
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly node: string,
    readonly runner: string,
    readonly bundle: string,
    readonly tmp: string,
    handlerEnv: NodeJS.ProcessEnv,
  ) {
    this.env = { ...handlerEnv, NODE_OPTIONS: this.nodeOptions };
  }

  get nodeOptions(): string {
    return nodeOptions(SOURCE_MAPS_DEFAULT);
  }

  /** Writes `value` as JSON to a file of the scratch directory; returns its path. */
  async writeJson(name: string, value: unknown): Promise<string> {
    const file = path.join(this.tmp, name);
    await writeFile(file, JSON.stringify(value));
    return file;
  }

  /** A bare `node -e 0` in the same environment: the baseline a cold start is measured against. */
  bare(extraEnv: NodeJS.ProcessEnv = {}): Promise<Timed> {
    return timeNode(this.node, ['-e', '0'], { ...this.env, ...extraEnv });
  }

  /** The runner in `cold` or `memory` mode on one event file, to its end. */
  run(mode: 'cold' | 'memory', eventFile: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Timed> {
    return timeNode(this.node, [this.runner, mode, this.bundle, eventFile], { ...this.env, ...extraEnv });
  }

  /** The runner in `serve` mode, driven over IPC (bench/child/protocol.ts). */
  serve(): ChildProcess {
    return fork(this.runner, ['serve', this.bundle], { env: this.env, execPath: this.node, execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  }
}
