import type { SQSRecord } from 'aws-lambda';
import { classifyDatabaseError } from '../db/database-errors.js';
import type { Tokenizer } from '../masking/tokenize.js';
import { SEALS_PER_RECORD, type ActiveDataKey, type DataKeyCache, type DataKeyLease } from '../vault/data-key-cache.js';
import { isFifoSource } from './batch-response.js';
import { chunksOf } from './chunks.js';
import { recordIdempotencyKey } from './idempotency-key.js';
import { prepareRecord, rejectedRow, type PrepareContext } from './prepare-record.js';
import type { DataKeyRef, EncodedWrite, LoginStore, PreparedRecord, RecordOutcome, VaultEntry, WriteSet } from './types.js';

export interface PipelineDeps {
  store: LoginStore;
  tokenizer: Tokenizer;
  dataKeys: DataKeyCache;
  now?: () => Date;
  /** Records per statement; WRITE_CHUNK_SIZE unless a test wants small chunks. */
  chunkSize?: number;
  /** Open SNS and EventBridge envelopes (UNWRAP_ENVELOPES); on unless false. */
  unwrapEnvelopes?: boolean;
}

export interface BatchReport {
  /**
   * One outcome per distinct message id of the event, in event order. An
   * outcome names its message by idempotency key (the id its row is stored
   * under); records that share a key share one outcome.
   */
  outcomes: Map<string, RecordOutcome>;
  fifo: boolean;
  /** Statements sent: one per chunk, more when a rejected row had to be isolated. */
  statements: number;
  writeMs: number;
  connectMs?: number;
  connectionRetried: boolean;
}

/**
 * Records per statement in a large batch. Big enough that the per-statement
 * cost (round trip, planning, commit) stays small against its rows, small
 * enough that a batch of 1,000 has four chunks to overlap.
 */
export const WRITE_CHUNK_SIZE = 250;

/**
 * The pipeline for one SQS batch: prepare every record (parse, validate, mask,
 * seal), then write them in one statement per chunk of WRITE_CHUNK_SIZE
 * records (one statement for a batch of Lambda's default size). When Postgres
 * rejects a statement because of a row's content, the chunk is bisected until
 * the bad row stands alone; it is then quarantined and the rest commit. The
 * first transient failure ends the batch: what is not committed by then is
 * failed, to be redelivered. Never throws.
 */
export async function processBatch(records: readonly SQSRecord[], deps: PipelineDeps): Promise<BatchReport> {
  // From here on a record is named by its idempotency key: its rows are
  // stored under it, and copies that share it are one message. Only the
  // report goes back to the event's message ids, which the response must use.
  const keyed = records.map(withIdempotencyKey);
  const run = new BatchRun(keyed, deps);
  await run.writeAll();
  return keyed.every((k, i) => k === records[i]) ? run.report : byEventMessageId(records, keyed, run.report);
}

function withIdempotencyKey(record: SQSRecord): SQSRecord {
  const key = recordIdempotencyKey(record);
  return key === record.messageId ? record : { ...record, messageId: key };
}

function byEventMessageId(records: readonly SQSRecord[], keyed: readonly SQSRecord[], report: BatchReport): BatchReport {
  const outcomes = new Map<string, RecordOutcome>();
  records.forEach((record, i) => {
    const outcome = report.outcomes.get((keyed[i] as SQSRecord).messageId);
    if (outcome && !outcomes.has(record.messageId)) outcomes.set(record.messageId, outcome);
  });
  return { ...report, outcomes };
}

/** A chunk prepared for its statement, with the data key lease its seals count against. */
interface Chunk {
  items: PreparedRecord[];
  /** The chunk's statement parameters, encoded ahead; throws what encoding threw. */
  encoded: () => EncodedWrite;
  ctx: PrepareContext;
  keyRef: DataKeyRef;
  lease: DataKeyLease;
}

type Step = 'continue' | 'stop';

/** One batch's state: its distinct records, their outcomes, the report. */
class BatchRun {
  readonly report: BatchReport;
  readonly #deps: PipelineDeps;
  readonly #unique: SQSRecord[];
  readonly #now: Date;
  #prepareFailed = false;

  constructor(records: readonly SQSRecord[], deps: PipelineDeps) {
    this.#deps = deps;
    this.#now = deps.now?.() ?? new Date();
    const outcomes = new Map<string, RecordOutcome>();
    // A message delivered twice in one batch is one message: it is processed
    // once and both copies share the outcome. Until a write settles it, a
    // record counts as failed: nothing is reported done that did not commit.
    // One "not processed" error serves the whole batch: an Error per record
    // (with its stack) cost more than hashing the record's PII.
    const notProcessed = new Error('not processed');
    this.#unique = records.filter(
      (r) => !outcomes.has(r.messageId) && outcomes.set(r.messageId, { messageId: r.messageId, status: 'failed', error: notProcessed }),
    );
    this.report = { outcomes, fifo: isFifoSource(records), statements: 0, writeMs: 0, connectionRetried: false };
  }

  /**
   * Large batches go in chunks, and the next chunk is prepared and encoded
   * while the previous one's statement runs: the client's CPU work (HMAC,
   * AES-GCM, encoding) and the server's then overlap instead of adding up.
   * A chunk is sent only after the previous one committed, so a FIFO batch
   * keeps its order and the first failure still ends the batch. A chunk
   * never holds more records than one data key may seal for.
   */
  async writeAll(): Promise<void> {
    const size = Math.min(this.#deps.chunkSize ?? WRITE_CHUNK_SIZE, Math.floor(this.#deps.dataKeys.maxUses / SEALS_PER_RECORD));
    const chunks = chunksOf(this.#unique, size);
    if (chunks.length === 0) return;
    let next = await this.#prepare(chunks[0] as SQSRecord[]);
    for (let k = 0; k < chunks.length && next; k += 1) {
      const current = next;
      const writing = this.#write(current, current.items, current.encoded).finally(() => current.lease.release());
      const more = k + 1 < chunks.length && !this.#prepareFailed;
      if (more) {
        // Let the statement reach the socket (pool checkout and query are
        // promise-chained) before this turn of the event loop goes to the CPU.
        await yieldToIo();
        next = await this.#prepare(chunks[k + 1] as SQSRecord[]);
      }
      if ((await writing) === 'stop' || !more) break;
    }
    // A chunk prepared but never sent (the batch stopped): its key uses go back, but for the values it sealed.
    next?.lease.release();
  }

  /**
   * Leases the chunk's worst case of data key uses, then prepares its
   * records. Preparation is pure and total by design; if it still throws,
   * the record goes back to the queue (and to the DLQ in the end) rather than
   * vanish. On a FIFO queue nothing after it may land: the chunk ends there,
   * and so does the batch. No key (KMS unreachable): the chunk fails, and the
   * batch ends.
   */
  async #prepare(chunk: readonly SQSRecord[]): Promise<Chunk | undefined> {
    let lease: DataKeyLease;
    try {
      lease = await this.#deps.dataKeys.acquire(chunk.length * SEALS_PER_RECORD);
    } catch (error) {
      this.#failAll(chunk, error);
      return undefined;
    }
    const ctx: PrepareContext = {
      tokenizer: this.#deps.tokenizer,
      dataKey: lease.key,
      now: this.#now,
      sealedByToken: sealedCache(lease.dataKey),
      lease,
      unwrapEnvelopes: this.#deps.unwrapEnvelopes,
    };
    const keyRef: DataKeyRef = { id: lease.id, kekId: lease.kekId, wrapped: lease.wrapped };
    const items: PreparedRecord[] = [];
    for (const record of chunk) {
      try {
        items.push(prepareRecord(record, ctx));
      } catch (error) {
        this.#failAll([record], error);
        if (this.report.fifo) {
          this.#prepareFailed = true;
          break;
        }
      }
    }
    return { items, encoded: encodeAhead(this.#deps.store, items, keyRef), ctx, keyRef, lease };
  }

  async #write(chunk: Chunk, segment: PreparedRecord[], encoded?: () => EncodedWrite): Promise<Step> {
    if (segment.length === 0) return 'continue';
    const { store } = this.#deps;
    const started = performance.now();
    try {
      this.report.statements += 1;
      const result = await store.write(encoded ? encoded() : store.encode(toWriteSet(segment, chunk.keyRef)));
      this.report.writeMs += performance.now() - started;
      if (result.connectMs !== undefined) this.report.connectMs = (this.report.connectMs ?? 0) + result.connectMs;
      this.report.connectionRetried ||= result.retried;
      for (const item of segment) this.report.outcomes.set(item.messageId, settled(item, result.written, result.quarantined));
      return 'continue';
    } catch (error) {
      this.report.writeMs += performance.now() - started;
      if (classifyDatabaseError(error) !== 'row') {
        this.#failAll(segment, error);
        return 'stop';
      }
      return segment.length > 1 ? this.#bisect(chunk, segment, error) : this.#rejected(chunk, segment[0] as PreparedRecord, error);
    }
  }

  /** A statement refused for a row's content: each half on its own, until the row stands alone. */
  async #bisect(chunk: Chunk, segment: PreparedRecord[], error: unknown): Promise<Step> {
    const middle = Math.ceil(segment.length / 2);
    if ((await this.#write(chunk, segment.slice(0, middle))) === 'stop') {
      this.#failAll(segment.slice(middle), error);
      return 'stop';
    }
    return this.#write(chunk, segment.slice(middle));
  }

  /** The one row Postgres refused: a login is quarantined instead; a refused quarantine row is left to redelivery and the DLQ. */
  async #rejected(chunk: Chunk, only: PreparedRecord, error: unknown): Promise<Step> {
    if (only.kind === 'login') {
      // Rare (a row Postgres refused), so a search rather than a map built per batch.
      const record = this.#unique.find((r) => r.messageId === only.messageId) as SQSRecord;
      return this.#write(chunk, [{ kind: 'quarantine', messageId: only.messageId, row: rejectedRow(record, error, chunk.ctx) }]);
    }
    this.#failAll([only], error);
    return this.report.fifo ? 'stop' : 'continue';
  }

  #failAll(list: readonly { messageId: string }[], error: unknown): void {
    for (const { messageId } of list) this.report.outcomes.set(messageId, { messageId, status: 'failed', error });
  }
}

/**
 * Encodes now, while the previous chunk's statement runs. Encoding is pure and
 * total too; should it still throw, the error is kept and thrown inside
 * write()'s try, where it fails the chunk.
 */
function encodeAhead(store: LoginStore, items: PreparedRecord[], keyRef: DataKeyRef): () => EncodedWrite {
  try {
    const encoded = store.encode(toWriteSet(items, keyRef));
    return () => encoded;
  } catch (error) {
    return () => {
      throw error;
    };
  }
}

const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Beyond this many cached sealed values, the cache starts over (about 400 bytes each). */
const SEALED_CACHE_LIMIT = 10_000;

// Per data key (the object DataKeyCache keeps until it rotates): a value
// seen in an earlier batch reuses its sealed entry (same key, same AAD, same
// ciphertext) instead of paying for an AES-GCM seal again. Only tokens and
// ciphertexts are cached, never a plaintext value; a rotated key's state is
// dropped with the key object.
const sealedByDataKey = new WeakMap<ActiveDataKey, Map<string, VaultEntry>>();

function sealedCache(dataKey: ActiveDataKey): Map<string, VaultEntry> {
  let sealed = sealedByDataKey.get(dataKey);
  if (!sealed) {
    sealed = new Map();
    sealedByDataKey.set(dataKey, sealed);
  } else if (sealed.size > SEALED_CACHE_LIMIT) {
    sealed.clear();
  }
  return sealed;
}

function settled(item: PreparedRecord, written: Set<string>, quarantined: Set<string>): RecordOutcome {
  const { messageId } = item;
  if (item.kind === 'login') {
    return written.has(messageId) ? { messageId, status: 'written' } : { messageId, status: 'duplicate' };
  }
  return quarantined.has(messageId)
    ? { messageId, status: 'quarantined', reason: item.row.reason, detail: item.row.detail }
    : { messageId, status: 'duplicate' };
}

export function toWriteSet(segment: readonly PreparedRecord[], dataKey: DataKeyRef): WriteSet {
  const set: WriteSet = { dataKey, logins: [], vault: [], quarantine: [] };
  const tokens = new Set<string>();
  for (const item of segment) {
    if (item.kind === 'quarantine') {
      set.quarantine.push(item.row);
      continue;
    }
    set.logins.push(item.row);
    for (const entry of item.vault) addOnce(set.vault, tokens, entry);
  }
  return set;
}

function addOnce(list: VaultEntry[], seen: Set<string>, entry: VaultEntry): void {
  if (seen.has(entry.token)) return;
  seen.add(entry.token);
  list.push(entry);
}
