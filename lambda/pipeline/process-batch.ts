import type { SQSRecord } from 'aws-lambda';
import { classifyDatabaseError, PermanentRecordError, QuarantineReason } from '../errors.js';
import type { Tokenizer } from '../masking/tokenize.js';
import type { ActiveDataKey, DataKeyCache } from '../vault/data-key-cache.js';
import { isFifoSource } from './batch-response.js';
import { chunksOf } from './chunks.js';
import { recordIdempotencyKey } from './idempotency-key.js';
import { prepareRecord, quarantineRow, type PrepareContext } from './prepare-record.js';
import type { DataKeyRef, EncodedWrite, LoginStore, PreparedRecord, RecordOutcome, VaultEntry, WriteSet } from './types.js';

export interface PipelineDeps {
  store: LoginStore;
  tokenizer: Tokenizer;
  dataKeys: DataKeyCache;
  now?: () => Date;
  /** Records per statement; WRITE_CHUNK_SIZE unless a test wants small chunks. */
  chunkSize?: number;
  /** Open SNS and EventBridge envelopes (config UNWRAP_ENVELOPES); on unless false. */
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
  const report = await processKeyed(keyed, deps);
  return keyed.every((k, i) => k === records[i]) ? report : byEventMessageId(records, keyed, report);
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

/** processBatch over records already named by their idempotency keys. */
async function processKeyed(records: readonly SQSRecord[], deps: PipelineDeps): Promise<BatchReport> {
  const fifo = isFifoSource(records);
  const outcomes = new Map<string, RecordOutcome>();
  // A message delivered twice in one batch is one message: it is processed
  // once and both copies share the outcome. One "not processed" error serves
  // the whole batch: an Error per record (with its stack) cost more than
  // hashing the record's PII.
  const notProcessed = new Error('not processed');
  const unique = records.filter(
    (r) => !outcomes.has(r.messageId) && outcomes.set(r.messageId, unsettled(r, notProcessed)),
  );
  const report: BatchReport = { outcomes, fifo, statements: 0, writeMs: 0, connectionRetried: false };
  const failAll = (list: readonly { messageId: string }[], error: unknown) => {
    for (const { messageId } of list) outcomes.set(messageId, { messageId, status: 'failed', error });
  };

  let dataKey;
  try {
    dataKey = await deps.dataKeys.acquire(unique.length * 2);
  } catch (error) {
    failAll(unique, error);
    return report;
  }
  const ctx: PrepareContext = {
    tokenizer: deps.tokenizer,
    dataKey: dataKey.key,
    now: deps.now?.() ?? new Date(),
    sealedByToken: sealedCache(dataKey),
    unwrapEnvelopes: deps.unwrapEnvelopes,
  };
  const keyRef: DataKeyRef = { id: dataKey.id, kekId: dataKey.kekId, wrapped: dataKey.wrapped };
  // Preparation is pure and total by design; if it still throws, the record
  // goes back to the queue (and to the DLQ in the end) rather than vanish.
  // On a FIFO queue nothing after it may land: the chunk ends there, and so
  // does the batch.
  let prepareFailed = false;
  const prepareChunk = (chunk: readonly SQSRecord[]): Chunk => {
    const items: PreparedRecord[] = [];
    for (const record of chunk) {
      try {
        items.push(prepareRecord(record, ctx));
      } catch (error) {
        failAll([record], error);
        if (fifo) {
          prepareFailed = true;
          break;
        }
      }
    }
    return { items, encoded: encodeAhead(deps.store, items, keyRef) };
  };

  const write = async (segment: PreparedRecord[], encoded?: () => EncodedWrite): Promise<'continue' | 'stop'> => {
    if (segment.length === 0) return 'continue';
    const started = performance.now();
    try {
      report.statements += 1;
      const result = await deps.store.write(encoded ? encoded() : deps.store.encode(toWriteSet(segment, keyRef)));
      report.writeMs += performance.now() - started;
      if (result.connectMs !== undefined) report.connectMs = (report.connectMs ?? 0) + result.connectMs;
      report.connectionRetried ||= result.retried;
      for (const item of segment) outcomes.set(item.messageId, settled(item, result.written, result.quarantined));
      return 'continue';
    } catch (error) {
      report.writeMs += performance.now() - started;
      if (classifyDatabaseError(error) === 'row') {
        if (segment.length > 1) {
          const middle = Math.ceil(segment.length / 2);
          if ((await write(segment.slice(0, middle))) === 'stop') {
            failAll(segment.slice(middle), error);
            return 'stop';
          }
          return write(segment.slice(middle));
        }
        const [only] = segment as [PreparedRecord];
        if (only.kind === 'login') {
          // Rare (a row Postgres refused), so a search rather than a map built per batch.
          const record = unique.find((r) => r.messageId === only.messageId) as SQSRecord;
          const code = String((error as { code?: unknown }).code);
          const reason = new PermanentRecordError(QuarantineReason.RejectedByDatabase, `SQLSTATE ${code}: ${(error as Error).message}`);
          return write([{ kind: 'quarantine', messageId: only.messageId, row: quarantineRow(record, reason, undefined, ctx) }]);
        }
        // Even the quarantine row is refused: leave it to redelivery and the DLQ.
        failAll(segment, error);
        return fifo ? 'stop' : 'continue';
      }
      failAll(segment, error);
      return 'stop';
    }
  };

  // Large batches go in chunks, and the next chunk is prepared and encoded
  // while the previous one's statement runs: the client's CPU work (HMAC,
  // AES-GCM, encoding) and the server's then overlap instead of adding up.
  // A chunk is sent only after the previous one committed, so a FIFO batch
  // keeps its order and the first failure still ends the batch.
  const chunks = chunksOf(unique, deps.chunkSize ?? WRITE_CHUNK_SIZE);
  let next = prepareChunk(chunks[0] ?? []);
  for (let k = 0; k < chunks.length; k += 1) {
    const writing = write(next.items, next.encoded);
    const more = k + 1 < chunks.length && !prepareFailed;
    if (more) {
      // Let the statement reach the socket (pool checkout and query are
      // promise-chained) before this turn of the event loop goes to the CPU.
      await yieldToIo();
      next = prepareChunk(chunks[k + 1] as SQSRecord[]);
    }
    if ((await writing) === 'stop' || !more) break;
  }
  return report;
}

/**
 * Records per statement in a large batch. Big enough that the per-statement
 * cost (round trip, planning, commit) stays small against its rows, small
 * enough that a batch of 1,000 has four chunks to overlap.
 */
export const WRITE_CHUNK_SIZE = 250;

interface Chunk {
  items: PreparedRecord[];
  /** The chunk's statement parameters, encoded ahead; throws what encoding threw. */
  encoded: () => EncodedWrite;
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

// Per data key (the object DataKeyCache hands out until it rotates): a value
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

function unsettled(record: SQSRecord, error: Error): RecordOutcome {
  // Until a write settles it, a record counts as failed: nothing is reported
  // done that did not commit.
  return { messageId: record.messageId, status: 'failed', error };
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
