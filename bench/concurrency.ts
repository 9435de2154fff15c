import type { ChildProcess } from 'node:child_process';
import type { SQSRecord } from 'aws-lambda';
import type { ExpectedRows } from './bench-database.js';
import { ActivitySampler, lockWaits, type ActivitySummary } from './bench-database.js';
import type { BundleProcesses } from './bundle-processes.js';
import type { FromChild, ToChild } from './child/protocol.js';
import type { BenchContext } from './context.js';
import { sideEvents } from './datasets.js';
import { toEvents } from './generate.js';
import { perSecond } from './stats.js';
import { GOALS, MIN_LOCK_OBSERVATIONS } from './targets.js';

export interface ConcurrencyLevel extends ActivitySummary {
  processes: number;
  batchSize: number;
  records: number;
  ms: number;
  recordsPerSecond: number;
  /** processes × DB_POOL_MAX: what the deployment caps (maxConcurrency × pool size). */
  connectionBudget: number;
  /** Records/s of each pass, when the level ran more than once. */
  passes?: number[];
}

class Child {
  readonly #process: ChildProcess;
  readonly #waiting = new Map<FromChild['type'], (m: FromChild) => void>();
  #failed?: Error;

  constructor(processes: BundleProcesses) {
    this.#process = processes.serve();
    this.#process.on('message', (m: FromChild) => {
      if (m.type === 'error') this.#fail(new Error(`handler process: ${m.message}`));
      else this.#waiting.get(m.type)?.(m);
    });
    this.#process.on('exit', (code) => this.#fail(new Error(`handler process exited (${code})`)));
  }

  #fail(error: Error): void {
    this.#failed ??= error;
    for (const resolve of this.#waiting.values()) resolve({ type: 'error', message: error.message });
  }

  async request<T extends FromChild['type']>(message: ToChild, reply: T): Promise<Extract<FromChild, { type: T }>> {
    if (this.#failed) throw this.#failed;
    const answer = new Promise<FromChild>((resolve) => this.#waiting.set(reply, resolve));
    this.#process.send(message);
    const m = await answer;
    this.#waiting.delete(reply);
    if (m.type === 'error') throw new Error(m.message);
    return m as Extract<FromChild, { type: T }>;
  }

  stop(): void {
    this.#process.removeAllListeners('exit');
    if (this.#process.connected) this.#process.send({ type: 'exit' } satisfies ToChild);
    setTimeout(() => this.#process.kill(), 5_000).unref();
  }
}

/** The main set and what it leaves in the tables. */
export interface MainSet {
  records: readonly SQSRecord[];
  expected: ExpectedRows;
}

/** Each handler process's share of the main set and its warm-up, as files it loads. */
type LevelFiles = { eventsFile: string; warmFile: string }[];

async function writeLevelFiles(ctx: BenchContext, bundleProcesses: BundleProcesses, main: MainSet, processes: number): Promise<LevelFiles> {
  const batchSize = ctx.options.concurrencyBatch;
  const share = Math.ceil(main.records.length / processes);
  const files: LevelFiles = [];
  for (let i = 0; i < processes; i += 1) {
    const events = toEvents(main.records.slice(i * share, (i + 1) * share), batchSize);
    const warm = sideEvents(`concurrency-warm-${processes}-${i}`, Math.min(2_000, share), Math.min(batchSize, 500), ctx.options.seed);
    files.push({
      eventsFile: await bundleProcesses.writeJson(`concurrency-${processes}-${i}.json`, events),
      warmFile: await bundleProcesses.writeJson(`concurrency-${processes}-${i}-warm.json`, warm),
    });
  }
  return files;
}

/**
 * `files.length` handler processes (the production bundle in fresh `node`s,
 * as separate Lambda sandboxes are) share the main set between them and
 * write it to one Postgres at the same time. Each opens its connection and
 * warms up first; the clock runs from "go" to the last one done, while
 * pg_stat_activity is polled for the handlers' connections.
 */
async function measureLevel(ctx: BenchContext, bundleProcesses: BundleProcesses, main: MainSet, files: LevelFiles): Promise<ConcurrencyLevel> {
  const processes = files.length;
  const { records, expected } = main;
  const batchSize = ctx.options.concurrencyBatch;
  const children: Child[] = [];
  try {
    ctx.progress.update(`concurrency: starting ${processes} handler processes`, true);
    const loads: Promise<unknown>[] = [];
    for (const { eventsFile, warmFile } of files) {
      const child = new Child(bundleProcesses);
      children.push(child);
      loads.push(child.request({ type: 'load', eventsFile, warmFile }, 'ready'));
    }
    await Promise.all(loads);
    await ctx.db.reset();
    ctx.progress.update(`concurrency: ${processes} handler processes writing`, true);
    const sampler = new ActivitySampler((polls, intervalMs) => ctx.db.handlerActivity(polls, intervalMs));
    const started = performance.now();
    const done = await Promise.all(children.map((c) => c.request({ type: 'go' }, 'done')));
    const ms = performance.now() - started;
    const activity = await sampler.stop();
    const failures = done.reduce((n, d) => n + d.failures, 0);
    if (failures > 0) throw new Error(`concurrency ${processes}: ${failures} records failed`);
    await ctx.db.verify(expected, `concurrency ${processes}`);
    return {
      processes,
      batchSize,
      records: records.length,
      ms,
      recordsPerSecond: perSecond(records.length, ms),
      connectionBudget: processes * ctx.config.database.poolMax,
      ...activity,
    };
  } finally {
    for (const child of children) child.stop();
  }
}

/** Passes the lock-wait level may add when its polls saw too few running statements to judge. */
const MAX_EXTRA_LOCK_PASSES = 4;

/**
 * Every level twice when --runs allows, in palindromic order (1, 2, 4, 8, 8,
 * 4, 2, 1): load that drifts during the phase then weighs on each level
 * about equally. Records/s is averaged over the passes, the polls of
 * pg_stat_activity are pooled (lock waits: all waiting observations over all
 * running ones), peak connections is the highest seen. The level the
 * lock-wait target reads runs again, a few times at most, until its pooled
 * polls saw enough running statements to judge (a small message set writes
 * in few statements).
 */
export async function measureConcurrency(ctx: BenchContext, bundleProcesses: BundleProcesses, main: MainSet): Promise<ConcurrencyLevel[]> {
  const levels = ctx.options.concurrency;
  const order = ctx.options.runs >= 2 ? [...levels, ...[...levels].reverse()] : levels;
  const measured = new Map<number, ConcurrencyLevel[]>();
  // Written once per level, read by all of its passes.
  const files = new Map<number, LevelFiles>();
  const pass = async (processes: number) => {
    if (!files.has(processes)) files.set(processes, await writeLevelFiles(ctx, bundleProcesses, main, processes));
    const level = await measureLevel(ctx, bundleProcesses, main, files.get(processes) as LevelFiles);
    measured.set(processes, [...(measured.get(processes) ?? []), level]);
  };
  for (const processes of order) await pass(processes);
  const running = () => (measured.get(GOALS.lockWaitProcesses) ?? []).reduce((n, l) => n + l.activeObservations, 0);
  for (let extra = 0; measured.has(GOALS.lockWaitProcesses) && running() < MIN_LOCK_OBSERVATIONS && extra < MAX_EXTRA_LOCK_PASSES; extra += 1) {
    await pass(GOALS.lockWaitProcesses);
  }
  return levels.map((processes) => {
    const passes = measured.get(processes) ?? [];
    const mean = (f: (l: ConcurrencyLevel) => number) => passes.reduce((sum, l) => sum + f(l), 0) / passes.length;
    const first = passes[0] as ConcurrencyLevel;
    const sum = (f: (l: ConcurrencyLevel) => number) => passes.reduce((total, l) => total + f(l), 0);
    return {
      ...first,
      ms: mean((l) => l.ms),
      recordsPerSecond: mean((l) => l.recordsPerSecond),
      ...lockWaits(
        Math.max(...passes.map((l) => l.peakConnections)),
        sum((l) => l.polls),
        sum((l) => l.activeObservations),
        sum((l) => l.lockWaitObservations),
      ),
      passes: passes.map((l) => l.recordsPerSecond),
    };
  });
}
