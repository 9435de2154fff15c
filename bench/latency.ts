import type { BenchContext } from './context.js';
import { sideEvents } from './datasets.js';
import { lambdaContext } from '../tools/lib/lambda-context.js';
import { invokeAll } from './lambda-context.js';
import { percentile } from './stats.js';

export interface LatencyResult {
  batchSize: number;
  invocations: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

const BATCH = 10;

/**
 * Per-invocation latency for batches of 10, the common Lambda case: one warm
 * sandbox (connection open, data key made, code optimised by 50 untimed
 * invocations), then each invocation timed on its own, against empty tables
 * at the start.
 */
export async function measureLatency(ctx: BenchContext, label = 'latency'): Promise<LatencyResult> {
  const count = ctx.options.latencyInvocations;
  const events = sideEvents('latency', count * BATCH, BATCH, ctx.options.seed);
  const etl = ctx.newEtl();
  try {
    ctx.progress.update(`${label}: warming up`, true);
    await invokeAll(etl, sideEvents('latency-warm', 50 * BATCH, BATCH, ctx.options.seed));
    await ctx.db.reset();
    const context = lambdaContext();
    const times: number[] = [];
    for (const [i, event] of events.entries()) {
      if (i % 50 === 0) ctx.progress.update(`${label}: ${i}/${count} invocations of ${BATCH}`);
      const started = performance.now();
      const response = await etl.handle(event, context);
      times.push(performance.now() - started);
      if (response.batchItemFailures.length > 0) throw new Error(`${label}: ${response.batchItemFailures.length} records failed`);
    }
    return {
      batchSize: BATCH,
      invocations: times.length,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      p99Ms: percentile(times, 99),
      maxMs: Math.max(...times),
    };
  } finally {
    await etl.close();
  }
}
