import type { SQSRecord } from 'aws-lambda';
import { LoginsNotWrittenError, RowRejectedError } from '../errors.js';
import type { BatchOutcomes } from './batch-outcomes.js';
import { rejectedRow, type PrepareContext } from './prepare-record.js';
import type { DataKeyLease, DataKeyRef, EncodedWrite, LoginStore, PreparedRecord, WriteResult, WriteSet } from './types.js';

/** A chunk's records prepared for their write, with the data key lease their seals count against. */
export interface PreparedChunk {
  /** The chunk's records as received: one Postgres refuses is quarantined from its body. */
  records: readonly SQSRecord[];
  items: PreparedRecord[];
  /** The items' write, encoded while the previous chunk was being written. */
  encoded: EncodedWrite;
  ctx: PrepareContext;
  keyRef: DataKeyRef;
  lease: DataKeyLease;
  /** A record of it could not be prepared on a FIFO queue: nothing after it may be written. */
  endsBatch: boolean;
}

/** What writing a batch's chunks cost, for its report. */
export interface WriteTotals {
  /** Writes sent: one per chunk, more when a refused row had to be isolated. */
  statements: number;
  writeMs: number;
  connectMs?: number;
  connectionRetried: boolean;
}

export type Step = 'continue' | 'stop';

/**
 * Writes a batch's chunks through the store, one at a time, and settles
 * their records. When the store says Postgres refused a row's content, the
 * chunk is bisected until that row stands alone; it is then quarantined and
 * the rest commit. Any other failure fails what is not written and ends the
 * batch. Its state: the totals, and the outcomes it settles.
 */
export class ChunkWriter {
  readonly totals: WriteTotals = { statements: 0, writeMs: 0, connectionRetried: false };

  constructor(
    readonly store: LoginStore,
    readonly outcomes: BatchOutcomes,
    /** On a FIFO queue a record left unwritten ends the batch, so its group never skips ahead. */
    readonly fifo: boolean,
  ) {}

  /** Writes one chunk; 'stop' when the batch must end there. */
  write(chunk: PreparedChunk): Promise<Step> {
    return this.#send(chunk, chunk.items, chunk.encoded);
  }

  async #send(chunk: PreparedChunk, segment: PreparedRecord[], encoded?: EncodedWrite): Promise<Step> {
    if (segment.length === 0) return 'continue';
    const started = performance.now();
    this.totals.statements += 1;
    try {
      const result = await (encoded ?? this.store.encode(toWriteSet(segment, chunk.keyRef))).write();
      this.#count(started, result);
      this.outcomes.settle(segment, result);
      return 'continue';
    } catch (caught) {
      this.totals.writeMs += performance.now() - started;
      const { error, rest } = caught instanceof LoginsNotWrittenError ? this.#settleQuarantine(segment, caught) : { error: caught, rest: segment };
      if (!(error instanceof RowRejectedError)) {
        this.outcomes.fail(rest, error);
        return 'stop';
      }
      return rest.length > 1 ? this.#bisect(chunk, rest, error) : this.#rejected(chunk, rest[0] as PreparedRecord, error);
    }
  }

  /** The quarantine rows committed, the logins did not: the first are settled, the second go on with the logins' error. */
  #settleQuarantine(segment: PreparedRecord[], partial: LoginsNotWrittenError): { error: unknown; rest: PreparedRecord[] } {
    this.outcomes.settle(
      segment.filter((item) => item.kind === 'quarantine'),
      { written: new Set(), quarantined: new Set(partial.quarantined), retried: false },
    );
    return { error: partial.reason, rest: segment.filter((item) => item.kind === 'login') };
  }

  /** A write refused for a row's content: each half on its own, until the row stands alone. */
  async #bisect(chunk: PreparedChunk, segment: PreparedRecord[], error: RowRejectedError): Promise<Step> {
    const middle = Math.ceil(segment.length / 2);
    if ((await this.#send(chunk, segment.slice(0, middle))) === 'stop') {
      this.outcomes.fail(segment.slice(middle), error);
      return 'stop';
    }
    return this.#send(chunk, segment.slice(middle));
  }

  /** The one row Postgres refused: a login is quarantined instead; a refused quarantine row is left to redelivery and the DLQ. */
  async #rejected(chunk: PreparedChunk, only: PreparedRecord, error: RowRejectedError): Promise<Step> {
    if (only.kind === 'login') {
      // Rare (a row Postgres refused), so a search rather than a map built per chunk.
      const record = chunk.records.find((r) => r.messageId === only.messageId) as SQSRecord;
      return this.#send(chunk, [{ kind: 'quarantine', messageId: only.messageId, row: rejectedRow(record, error, chunk.ctx) }]);
    }
    this.outcomes.fail([only], error);
    return this.fifo ? 'stop' : 'continue';
  }

  #count(started: number, result: WriteResult): void {
    const totals = this.totals;
    totals.writeMs += performance.now() - started;
    if (result.connectMs !== undefined) totals.connectMs = (totals.connectMs ?? 0) + result.connectMs;
    totals.connectionRetried ||= result.retried;
  }
}

/**
 * Encodes now, while the previous chunk is being written. Encoding is pure
 * and total; should it still throw, the write fails with that error, which
 * fails the chunk.
 */
export function encodeAhead(store: LoginStore, set: WriteSet): EncodedWrite {
  try {
    return store.encode(set);
  } catch (error) {
    return { write: () => Promise.reject(error) };
  }
}

/** What a segment stores: its login rows and its quarantine rows, in event order. */
export function toWriteSet(segment: readonly PreparedRecord[], dataKey: DataKeyRef): WriteSet {
  const set: WriteSet = { dataKey, logins: [], quarantine: [] };
  for (const item of segment) {
    if (item.kind === 'quarantine') set.quarantine.push(item.row);
    else set.logins.push(item.row);
  }
  return set;
}
