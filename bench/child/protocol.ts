/** Messages between bench/concurrency.ts and a child runner in `serve` mode (IPC). */
export type ToChild =
  | { type: 'load'; eventsFile: string; warmFile: string }
  | { type: 'go' }
  | { type: 'exit' };

export type FromChild =
  | { type: 'ready' }
  | { type: 'done'; failures: number }
  | { type: 'error'; message: string };

/** One line of JSON on stdout from the `cold` mode. */
export interface ColdReport {
  importMs: number;
  invokeMs: number;
  failures: number;
}

/** One line of JSON on stdout from the `memory` mode. */
export interface MemoryReport {
  records: number;
  eventBytes: number;
  rssAfterLoadMb: number;
  maxRssMb: number;
  invokeMs: number;
  failures: number;
}
