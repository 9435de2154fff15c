import type { KeyObject } from 'node:crypto';
import type { QuarantineReason } from '../errors.js';
import type { RowSealKeys } from '../vault/row-seal.js';

/** A row of user_logins, ready to write: PII already replaced by tokens. */
export interface LoginRow {
  messageId: string;
  userId: string;
  deviceType: string;
  maskedIp: string;
  maskedDeviceId: string;
  locale: string | null;
  appVersion: number | null;
  appVersionText: string;
  /** UTC date of SentTimestamp, YYYY-MM-DD. */
  createDate: string;
  /** SentTimestamp as ISO 8601 in UTC: made once, for the write and for createDate. */
  sentAt: string;
  keyVersion: string;
  /** The originals of its personal fields, sealed together under the chunk's data key (sealed-originals.ts). */
  piiSealed: Buffer;
}

export interface QuarantineRow {
  messageId: string;
  reason: QuarantineReason;
  detail: string;
  /** JSON text: known field names, types and valid or masked values only. */
  preview: string;
  /** The token (kind user_id) of the body's user_id, when it has one: what forget matches. */
  userToken: string | null;
  bodyNonce: Buffer;
  bodyCiphertext: Buffer;
  keyVersion: string;
  sentAt: Date | null;
  receiveCount: number | null;
}

export type PreparedRecord =
  | { kind: 'login'; messageId: string; row: LoginRow }
  | { kind: 'quarantine'; messageId: string; row: QuarantineRow };

export interface DataKeyRef {
  id: string;
  kekId: string;
  wrapped: Buffer;
}

/**
 * The most values one record may seal under its chunk's data key: its
 * originals (all its personal fields, pii-fields.ts, in one seal), then its
 * whole body if Postgres refuses the row and it is quarantined. A
 * quarantined body alone seals once.
 */
export const SEALS_PER_RECORD = 2;

/**
 * Uses of one data key reserved ahead (a chunk's worst case), then counted
 * one by one as values are sealed: take() refuses a seal past the
 * reservation, and release() gives back what was not used.
 */
export interface DataKeyLease extends DataKeyRef {
  /** The plaintext key, imported once. */
  readonly key: KeyObject;
  /** Its row seals' keys. */
  readonly rowKeys: RowSealKeys;
  take(): void;
  release(): void;
}

/** The data keys edge of the pipeline, like the store: KMS (or a local KEK) behind a cache in production. */
export interface DataKeys {
  /** The most values one key may seal: no chunk holds more records than one key can seal for. */
  readonly maxUses: number;
  /** `count` uses of the current key, or of a new one when it cannot give them all. */
  acquire(count: number): Promise<DataKeyLease>;
}

/** Everything one chunk's write stores. */
export interface WriteSet {
  dataKey: DataKeyRef;
  logins: LoginRow[];
  quarantine: QuarantineRow[];
}

export interface WriteResult {
  /** Message ids whose user_logins row this write inserted. */
  written: Set<string>;
  /** Message ids whose quarantine row this write inserted. */
  quarantined: Set<string>;
  connectMs?: number;
  retried: boolean;
}

/** A write set as its store encoded it, ready to send. */
export interface EncodedWrite {
  /**
   * Stores the whole set or nothing, or (a store writing in two steps) its
   * quarantine rows and nothing of its logins; a set written before is a
   * no-op. Rejects with RowRejectedError when the database refused a row
   * for its content (the pipeline then isolates the row), with any other
   * error when the write failed for the environment, and with
   * LoginsNotWrittenError, carrying one of those, when the quarantine rows
   * committed and the logins did not.
   */
  write(): Promise<WriteResult>;
}

/**
 * The database edge of the pipeline; tests use the real Postgres one. How a
 * set is written (one statement, or a faster path with a fallback) is the
 * store's business; the pipeline chunks, overlaps, bisects and settles.
 */
export interface LoginStore {
  /**
   * Pure CPU work, apart from writing, so that a batch can encode its next
   * chunk while the previous chunk is being written.
   */
  encode(set: WriteSet): EncodedWrite;
}

export type RecordOutcome =
  | { messageId: string; status: 'written' }
  | { messageId: string; status: 'duplicate' }
  | { messageId: string; status: 'quarantined'; reason: QuarantineReason; detail: string }
  | { messageId: string; status: 'failed'; error: unknown };

export type RecordStatus = RecordOutcome['status'];
