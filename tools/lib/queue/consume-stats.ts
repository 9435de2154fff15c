import type { StatusCounts } from '../../../lambda/observability/pipeline-metrics.js';
import { addCounts, formatCounts, zeroCounts } from '../summary.js';

export interface BatchTally {
  received: number;
  counts: StatusCounts;
  reasons: Map<string, number>;
  deleted: number;
  deleteFailed: number;
  /** Records left for redelivery (reported failures, or the whole batch). */
  redelivered: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** Totals of one consume run: counts only, never a message body or field. */
export class ConsumeStats {
  readonly counts: StatusCounts = zeroCounts();
  readonly reasons = new Map<string, number>();
  received = 0;
  receives = 0;
  batches = 0;
  deleted = 0;
  deleteFailed = 0;
  redelivered = 0;
  readonly startedAt = Date.now();
  #firstMessageAt?: number;
  #lastBatchAt?: number;

  recordReceive(messages: number): void {
    this.receives += 1;
    if (messages > 0) this.#firstMessageAt ??= Date.now();
  }

  recordBatch(tally: BatchTally): void {
    this.batches += 1;
    this.received += tally.received;
    addCounts(this.counts, tally.counts);
    for (const [reason, n] of tally.reasons) this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + n);
    this.deleted += tally.deleted;
    this.deleteFailed += tally.deleteFailed;
    this.redelivered += tally.redelivered;
    this.#lastBatchAt = Date.now();
  }

  /** Messages per second from the first message received to the last batch settled. */
  rate(now = Date.now()): number {
    if (this.#firstMessageAt === undefined) return 0;
    const end = this.#lastBatchAt ?? now;
    return this.received / Math.max((end - this.#firstMessageAt) / 1000, 0.001);
  }

  progressLine(inFlight: number): string {
    const c = this.counts;
    return (
      `received ${this.received} · written ${c.written} · duplicate ${c.duplicate} · ` +
      `quarantined ${c.quarantined} · failed ${c.failed} · ${round1(this.rate())} msg/s` +
      (inFlight > 0 ? ` · ${inFlight} batch${inFlight === 1 ? '' : 'es'} in flight` : '')
    );
  }

  /** "100 received: 99 written, ...; 10 batches from 12 receives, 100 deleted; 2.1 s, 64.5 messages/s" */
  summary(now = Date.now()): string {
    const extra = [
      `${this.deleted} deleted`,
      ...(this.deleteFailed > 0 ? [`${this.deleteFailed} not deleted (they come back as duplicates)`] : []),
      ...(this.redelivered > 0 ? [`${this.redelivered} left for redelivery`] : []),
    ].join(', ');
    return (
      `${formatCounts(this.received, this.counts, this.reasons)}; ` +
      `${this.batches} batch${this.batches === 1 ? '' : 'es'} from ${this.receives} receive${this.receives === 1 ? '' : 's'}, ${extra}; ` +
      `${round1((now - this.startedAt) / 1000)} s, ${round1(this.rate(now))} messages/s`
    );
  }
}
