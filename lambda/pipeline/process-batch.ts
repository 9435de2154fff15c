import type { SQSRecord } from 'aws-lambda';
import type { Tokenizer } from '../masking/tokenize.js';
import { BatchOutcomes } from './batch-outcomes.js';
import { isFifoSource } from './batch-response.js';
import { ChunkWriter, type PreparedChunk, type WriteTotals } from './chunk-writer.js';
import { chunksOf } from './chunks.js';
import { asFirstDelivered } from './idempotency-key.js';
import { prepareChunk } from './prepare-chunk.js';
import { SEALS_PER_RECORD, type DataKeys, type LoginStore, type RecordOutcome } from './types.js';

export interface PipelineDeps {
  store: LoginStore;
  tokenizer: Tokenizer;
  dataKeys: DataKeys;
  now?: () => Date;
  /** Records per statement; WRITE_CHUNK_SIZE unless a test wants small chunks. */
  chunkSize?: number;
  /** Open SNS and EventBridge envelopes (UNWRAP_ENVELOPES); on unless false. */
  unwrapEnvelopes?: boolean;
}

export interface BatchReport extends WriteTotals {
  /**
   * One outcome per distinct message id of the event, in event order. An
   * outcome names its message by idempotency key (the id its row is stored
   * under); records that share a key share one outcome.
   */
  outcomes: Map<string, RecordOutcome>;
  fifo: boolean;
}

/**
 * Records per write in a large batch. Big enough that what the database
 * spends per write (a statement, a commit, the data key and quarantine call)
 * stays small against a COPY's rows, small enough that a batch of 1,000 has
 * two chunks to overlap (docs/performance.md, "Chunks of 500").
 */
export const WRITE_CHUNK_SIZE = 500;

/**
 * The pipeline for one SQS batch: prepare every record (parse, validate, mask,
 * seal), then write them chunk by chunk, WRITE_CHUNK_SIZE records at a time
 * (one write for a batch of Lambda's default size), no chunk larger than
 * one data key may seal for. When Postgres refuses a write because of a
 * row's content, the chunk is bisected until the bad row stands alone; it is
 * then quarantined and the rest commit. The first transient failure ends the
 * batch: what is not committed by then is failed, to be redelivered. Never
 * throws.
 */
export async function processBatch(records: readonly SQSRecord[], deps: PipelineDeps): Promise<BatchReport> {
  // From here on a record is named by its idempotency key: its rows are
  // stored under it, and copies that share it are one message. Only the
  // report goes back to the event's message ids, which the response must use.
  const keyed = records.map(asFirstDelivered);
  const outcomes = new BatchOutcomes(keyed);
  const fifo = isFifoSource(records);
  const writer = new ChunkWriter(deps.store, outcomes, fifo);
  const preparation = { ...deps, now: deps.now?.() ?? new Date(), fifo };
  const size = Math.min(deps.chunkSize ?? WRITE_CHUNK_SIZE, Math.floor(deps.dataKeys.maxUses / SEALS_PER_RECORD));
  await writeInChunks(chunksOf(outcomes.records, size), (chunk) => prepareChunk(chunk, preparation, outcomes), writer);
  const report: BatchReport = { outcomes: outcomes.byId, fifo, ...writer.totals };
  return keyed.every((k, i) => k === records[i]) ? report : byEventMessageId(records, keyed, report);
}

/**
 * Large batches go in chunks, and the next chunk is prepared and encoded
 * while the previous one is being written: the client's CPU work (HMAC,
 * AES-GCM, encoding) and the server's then overlap instead of adding up. A
 * chunk is sent only after the previous one committed, so a FIFO batch
 * keeps its order and the first failure still ends the batch.
 */
async function writeInChunks(
  chunks: readonly SQSRecord[][],
  prepare: (records: readonly SQSRecord[]) => Promise<PreparedChunk | undefined>,
  writer: ChunkWriter,
): Promise<void> {
  let next = chunks.length > 0 ? await prepare(chunks[0] as SQSRecord[]) : undefined;
  for (let k = 1; next; k += 1) {
    const current = next;
    const writing = writer.write(current).finally(() => current.lease.release());
    next = undefined;
    if (k < chunks.length && !current.endsBatch) {
      // Let the write reach the socket (pool checkout and query are
      // promise-chained) before this turn of the event loop goes to the CPU.
      await yieldToIo();
      next = await prepare(chunks[k] as SQSRecord[]);
    }
    if ((await writing) === 'stop') break;
  }
  // A chunk prepared but never sent (the batch stopped): its key uses go back, but for the values it sealed.
  next?.lease.release();
}

const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function byEventMessageId(records: readonly SQSRecord[], keyed: readonly SQSRecord[], report: BatchReport): BatchReport {
  const outcomes = new Map<string, RecordOutcome>();
  records.forEach((record, i) => {
    const outcome = report.outcomes.get((keyed[i] as SQSRecord).messageId);
    if (outcome && !outcomes.has(record.messageId)) outcomes.set(record.messageId, outcome);
  });
  return { ...report, outcomes };
}

