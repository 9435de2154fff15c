import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { ExpectedRows } from './bench-database.js';
import type { BenchContext } from './context.js';
import { sideEvents } from './datasets.js';
import { toEvents } from './generate.js';
import { invokeAll } from './lambda-context.js';
import { cpuUsPerRecord, ownCpuMs } from './process-cpu.js';
import { summarize, type RatePhase, type RateRun, type RateSummary } from './rate.js';
import { perSecond } from './stats.js';

export interface ThroughputResult extends RateSummary {
  batchSize: number;
  invocations: number;
}

/**
 * login-etl end to end: LoginEtl.handle (what lambda/handler.ts exports) on
 * SQS events of `batchSize` records, sequentially, as one sandbox receives
 * them. Each run gets a new LoginEtl (a new sandbox: nothing cached from the
 * previous run), its connection opened by one untimed record, and empty tables.
 */
export class ThroughputPhase implements RatePhase<ThroughputResult> {
  readonly label: string;
  readonly #runs: RateRun[] = [];
  readonly #events: SQSEvent[];

  constructor(
    readonly ctx: BenchContext,
    readonly records: readonly SQSRecord[],
    readonly expected: ExpectedRows,
    readonly batchSize: number,
  ) {
    this.label = `login-etl, batch ${batchSize}`;
    this.#events = toEvents(records, batchSize);
  }

  async run(index: number): Promise<void> {
    const { ctx } = this;
    const etl = ctx.newEtl();
    try {
      await invokeAll(etl, sideEvents('open', 1, 1, ctx.options.seed + index));
      await ctx.db.reset();
      const [pid] = await ctx.db.handlerPids();
      const server0 = pid === undefined ? undefined : ctx.db.backendCpuMs(pid);
      const client0 = ownCpuMs();
      const started = performance.now();
      const failures = await invokeAll(etl, this.#events);
      const ms = performance.now() - started;
      const clientMs = ownCpuMs() - client0;
      const server1 = pid === undefined ? undefined : ctx.db.backendCpuMs(pid);
      if (failures > 0) throw new Error(`login-etl: ${failures} records failed at batch size ${this.batchSize}`);
      await ctx.db.verify(this.expected, this.label);
      const server = cpuUsPerRecord(server0, server1, this.records.length);
      this.#runs.push({
        ms,
        recordsPerSecond: perSecond(this.records.length, ms),
        clientCpuUsPerRecord: (clientMs * 1000) / this.records.length,
        ...(server === undefined ? {} : { serverCpuUsPerRecord: server }),
      });
    } finally {
      await etl.close();
    }
  }

  result(): ThroughputResult {
    return { ...summarize(this.records.length, this.#runs), batchSize: this.batchSize, invocations: this.#events.length };
  }
}

/** JIT warm-up for the whole process: a few thousand records through a throwaway LoginEtl, untimed. */
export async function warmUp(ctx: BenchContext): Promise<void> {
  ctx.progress.update('warming up', true);
  const etl = ctx.newEtl();
  try {
    await invokeAll(etl, sideEvents('warm', Math.min(5_000, ctx.options.messages), 100, ctx.options.seed));
  } finally {
    await etl.close();
  }
  await ctx.db.reset();
}
