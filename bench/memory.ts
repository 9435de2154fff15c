import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import type { MemoryReport } from './child/protocol.js';
import type { BenchContext } from './context.js';
import { generateBodies, toRecords } from './generate.js';
import { lastJsonLine, timeNode } from './spawn.js';

export interface MemoryResult extends MemoryReport {
  bodyBytes: number;
}

/** Lambda's synchronous invoke payload limit, which the issue takes as the bodies' total. */
const PAYLOAD_LIMIT = 6 * 1024 * 1024;

const bodyBytes = (event: SQSEvent) => event.Records.reduce((n, r) => n + Buffer.byteLength(r.body), 0);

/**
 * The largest batch: `records` messages whose bodies carry an ignored padding
 * field, so that the bodies alone add up to just under 6 MiB for 10,000
 * records (proportionally less for a smaller --memory-records). With the SQS
 * envelope around each body the event is larger than Lambda would deliver:
 * a deliberate worst case for memory.
 */
export function largeEvent(records: number, seed: number): SQSEvent {
  const target = PAYLOAD_LIMIT * 0.98 * Math.min(1, records / 10_000);
  const build = (padding: number): SQSEvent => ({
    Records: toRecords(generateBodies(records, { seed, padding }), `memory-${seed}`),
  });
  // The bodies grow linearly with the padding (valid bodies carry it, malformed ones do not).
  const at100 = bodyBytes(build(100));
  const slope = (bodyBytes(build(200)) - at100) / 100;
  let padding = Math.max(0, 100 + Math.floor((target - at100) / slope));
  let event = build(padding);
  while (padding > 0 && bodyBytes(event) > target) {
    padding -= 1;
    event = build(padding);
  }
  return event;
}

/** Peak RSS of a fresh process (the production bundle, NODE_OPTIONS as deployed) handling one large batch. */
export async function measureMemory(ctx: BenchContext, runner: string, bundle: string, tmp: string): Promise<MemoryResult> {
  ctx.progress.update(`memory: one batch of ${ctx.options.memoryRecords}`, true);
  const event = largeEvent(ctx.options.memoryRecords, ctx.options.seed);
  const eventFile = path.join(tmp, 'memory.json');
  await writeFile(eventFile, JSON.stringify(event));
  await ctx.db.reset();
  const timed = await timeNode(ctx.options.childNode, [runner, 'memory', bundle, eventFile], ctx.childEnv);
  const report = lastJsonLine<MemoryReport>(timed, 'memory');
  if (report.failures > 0) throw new Error(`memory: ${report.failures} records failed`);
  return { ...report, bodyBytes: bodyBytes(event) };
}
