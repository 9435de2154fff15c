import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { generateBodies } from '../tools/lib/login-generator.js';
import { toEvents, toRecords } from './generate.js';

/**
 * The main message set of a bench run: the same records for ceiling,
 * login-etl, floor and concurrency, so that they all write the same rows.
 */
export function mainRecords(messages: number, seed: number): SQSRecord[] {
  return toRecords(generateBodies(messages, { seed }), `bench-${seed}`);
}

/** Events of `size` records from their own seed stream (warm-ups, latency); ids never clash with the main set. */
export function sideEvents(label: string, records: number, size: number, seed: number): SQSEvent[] {
  return toEvents(toRecords(generateBodies(records, { seed: seed + labelNumber(label) }), `${label}-${seed}`), size);
}

function labelNumber(label: string): number {
  let h = 0;
  for (const c of label) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % 100_000;
}
