import type { SQSRecord } from 'aws-lambda';
import type { Tokenizer } from '../masking/tokenize.js';
import type { BatchOutcomes } from './batch-outcomes.js';
import { encodeAhead, toWriteSet, type PreparedChunk } from './chunk-writer.js';
import { prepareRecord, sealingWith, type PrepareContext } from './prepare-record.js';
import { SEALS_PER_RECORD, type DataKeyLease, type DataKeys, type LoginStore, type PreparedRecord } from './types.js';

/** What preparing a batch's chunks needs; the same for every chunk of it. */
export interface ChunkPreparation {
  store: LoginStore;
  tokenizer: Tokenizer;
  dataKeys: DataKeys;
  /** Used when a record carries no SentTimestamp. */
  now: Date;
  unwrapEnvelopes?: boolean;
  fifo: boolean;
}

/**
 * Leases the chunk's worst case of data key uses, prepares its records and
 * encodes their write. Preparation is pure and total by design; if it still
 * throws, the record goes back to the queue (and to the DLQ in the end)
 * rather than vanish. On a FIFO queue nothing after it may land: the chunk
 * ends there, and so does the batch. No key (KMS unreachable): the chunk
 * fails, and the batch ends (undefined).
 */
export async function prepareChunk(
  records: readonly SQSRecord[],
  p: ChunkPreparation,
  outcomes: BatchOutcomes,
): Promise<PreparedChunk | undefined> {
  let lease: DataKeyLease;
  try {
    lease = await p.dataKeys.acquire(records.length * SEALS_PER_RECORD);
  } catch (error) {
    outcomes.fail(records, error);
    return undefined;
  }
  const ctx: PrepareContext = {
    tokenizer: p.tokenizer,
    ...sealingWith(lease, records.length),
    now: p.now,
    lease,
    unwrapEnvelopes: p.unwrapEnvelopes,
  };
  const keyRef = { id: lease.id, kekId: lease.kekId, wrapped: lease.wrapped };
  const items: PreparedRecord[] = [];
  let endsBatch = false;
  for (const record of records) {
    try {
      items.push(prepareRecord(record, ctx));
    } catch (error) {
      outcomes.fail([record], error);
      endsBatch = p.fifo;
      if (endsBatch) break;
    }
  }
  ctx.rows.dispose();
  return { records, items, encoded: encodeAhead(p.store, toWriteSet(items, keyRef)), ctx, keyRef, lease, endsBatch };
}
