import type { SQSEvent } from 'aws-lambda';
import { INVOKE_PAYLOAD_LIMIT } from '../tools/lib/queue/batch-collector.js';
import type { BundleProcesses } from './bundle-processes.js';
import type { MemoryReport } from './child/protocol.js';
import type { BenchContext } from './context.js';
import { generateBodies } from '../tools/lib/login-generator.js';
import { toRecords } from './generate.js';
import { lastJsonLine } from './spawn.js';

export interface MemoryResult extends MemoryReport {
  bodyBytes: number;
}

const bodyBytes = (bodies: readonly string[]) => bodies.reduce((n, body) => n + Buffer.byteLength(body), 0);

/**
 * The largest batch: `records` messages whose bodies carry an ignored padding
 * field, so that the bodies alone add up to just under 6 MiB for 10,000
 * records (proportionally less for a smaller --memory-records). With the SQS
 * envelope around each body the event is larger than Lambda would deliver:
 * a deliberate worst case for memory.
 */
function largeEvent(records: number, seed: number): { event: SQSEvent; bodyBytes: number } {
  // The issue takes Lambda's synchronous invoke payload limit as the bodies' total.
  const target = INVOKE_PAYLOAD_LIMIT * 0.98 * Math.min(1, records / 10_000);
  const build = (padding: number) => generateBodies(records, { seed, padding });
  // The bodies grow linearly with the padding (valid bodies carry it, malformed ones do not).
  const at100 = bodyBytes(build(100));
  const slope = (bodyBytes(build(200)) - at100) / 100;
  let padding = Math.max(0, 100 + Math.floor((target - at100) / slope));
  let bodies = build(padding);
  while (padding > 0 && bodyBytes(bodies) > target) {
    padding -= 1;
    bodies = build(padding);
  }
  return { event: { Records: toRecords(bodies, `memory-${seed}`) }, bodyBytes: bodyBytes(bodies) };
}

/** Peak RSS of a fresh process (the production bundle, NODE_OPTIONS as deployed) handling one large batch. */
export async function measureMemory(ctx: BenchContext, processes: BundleProcesses): Promise<MemoryResult> {
  ctx.progress.update(`memory: one batch of ${ctx.options.memoryRecords}`, true);
  const { event, bodyBytes } = largeEvent(ctx.options.memoryRecords, ctx.options.seed);
  const eventFile = await processes.writeJson('memory.json', event);
  await ctx.db.reset();
  const report = lastJsonLine<MemoryReport>(await processes.run('memory', eventFile), 'memory');
  if (report.failures > 0) throw new Error(`memory: ${report.failures} records failed`);
  return { ...report, bodyBytes };
}
