import { createSecretKey, type KeyObject } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { classifyDatabaseError, PermanentRecordError, QuarantineReason } from '../errors.js';
import type { Tokenizer } from '../masking/tokenize.js';
import type { DataKeyCache } from '../vault/data-key-cache.js';
import { isFifoSource } from './batch-response.js';
import { prepareRecord, quarantineRow, type PrepareContext } from './prepare-record.js';
import type { DataKeyRef, LoginStore, PreparedRecord, RecordOutcome, VaultEntry, WriteSet } from './types.js';

export interface PipelineDeps {
  store: LoginStore;
  tokenizer: Tokenizer;
  dataKeys: DataKeyCache;
  now?: () => Date;
}

export interface BatchReport {
  /** One outcome per distinct message id, in event order. */
  outcomes: Map<string, RecordOutcome>;
  fifo: boolean;
  /** Statements sent: 1 normally, more when a rejected row had to be isolated. */
  statements: number;
  writeMs: number;
  connectMs?: number;
  connectionRetried: boolean;
}

/**
 * The pipeline for one SQS batch: prepare every record (parse, validate, mask,
 * seal), then write them all in one statement. When Postgres rejects the
 * statement because of a row's content, the batch is bisected until the bad
 * row stands alone; it is then quarantined and the rest commit. The first
 * transient failure ends the batch: what is not committed by then is failed,
 * to be redelivered. Never throws.
 */
export async function processBatch(records: readonly SQSRecord[], deps: PipelineDeps): Promise<BatchReport> {
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
  let sealing;
  try {
    dataKey = await deps.dataKeys.acquire(unique.length * 2);
    sealing = sealingState(dataKey);
  } catch (error) {
    failAll(unique, error);
    return report;
  }
  const ctx: PrepareContext = {
    tokenizer: deps.tokenizer,
    dataKey: dataKey.plaintext,
    sealKey: sealing.key,
    now: deps.now?.() ?? new Date(),
    sealedByToken: sealing.sealed,
  };
  const keyRef: DataKeyRef = { id: dataKey.id, kekId: dataKey.kekId, wrapped: dataKey.wrapped };
  const prepared: PreparedRecord[] = [];
  const byId = new Map(unique.map((r) => [r.messageId, r]));
  for (const record of unique) {
    try {
      prepared.push(prepareRecord(record, ctx));
    } catch (error) {
      // Preparation is pure and total by design; if it still throws, the record
      // goes back to the queue (and to the DLQ in the end) rather than vanish.
      failAll([record], error);
      if (fifo) {
        failAll(unique.slice(unique.indexOf(record)), error);
        break;
      }
    }
  }

  const write = async (segment: PreparedRecord[]): Promise<'continue' | 'stop'> => {
    if (segment.length === 0) return 'continue';
    const started = performance.now();
    try {
      report.statements += 1;
      const result = await deps.store.write(toWriteSet(segment, keyRef));
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
          const record = byId.get(only.messageId) as SQSRecord;
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

  await write(prepared);
  return report;
}

/** Beyond this many cached sealed values, the cache starts over (about 400 bytes each). */
const SEALED_CACHE_LIMIT = 10_000;

interface SealingState {
  /** The data key imported once: seal() would otherwise import the raw key per value. */
  key: KeyObject;
  /** Sealed values by token under this data key, kept across the batches of a sandbox. */
  sealed: Map<string, VaultEntry>;
}

// Per data key (the object DataKeyCache hands out until it rotates): a value
// seen in an earlier batch reuses its sealed entry (same key, same AAD, same
// ciphertext) instead of paying for an AES-GCM seal again. Only tokens and
// ciphertexts are cached, never a plaintext value; a rotated key's state is
// dropped with the key object.
const sealingStates = new WeakMap<object, SealingState>();

function sealingState(dataKey: { plaintext: Buffer }): SealingState {
  let state = sealingStates.get(dataKey);
  if (!state) {
    state = { key: createSecretKey(dataKey.plaintext), sealed: new Map() };
    sealingStates.set(dataKey, state);
  } else if (state.sealed.size > SEALED_CACHE_LIMIT) {
    state.sealed.clear();
  }
  return state;
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
