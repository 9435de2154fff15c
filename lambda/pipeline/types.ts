import type { PiiKind } from '../masking/tokenize.js';
import type { QuarantineReason } from '../errors.js';

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
  sentAt: Date;
  keyVersion: string;
}

/** One sealed original for the vault, keyed by its token. */
export interface VaultEntry {
  token: string;
  kind: PiiKind;
  keyVersion: string;
  nonce: Buffer;
  ciphertext: Buffer;
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
  | { kind: 'login'; messageId: string; row: LoginRow; vault: VaultEntry[] }
  | { kind: 'quarantine'; messageId: string; row: QuarantineRow };

export interface DataKeyRef {
  id: string;
  kekId: string;
  wrapped: Buffer;
}

/** Everything one statement writes. */
export interface WriteSet {
  dataKey: DataKeyRef;
  logins: LoginRow[];
  vault: VaultEntry[];
  quarantine: QuarantineRow[];
}

export interface WriteResult {
  /** Message ids whose user_logins row this statement inserted. */
  written: Set<string>;
  /** Message ids whose quarantine row this statement inserted. */
  quarantined: Set<string>;
  connectMs?: number;
  retried: boolean;
}

/** A write set with its statement parameters encoded, ready to send. */
export interface EncodedWrite {
  set: WriteSet;
  parameters: unknown[];
}

/** The database edge of the pipeline; tests use the real Postgres one. */
export interface LoginStore {
  /**
   * Pure CPU work, apart from write() so that a batch can encode its next
   * chunk while the previous chunk's statement runs.
   */
  encode(set: WriteSet): EncodedWrite;
  write(encoded: EncodedWrite): Promise<WriteResult>;
}

export type RecordOutcome =
  | { messageId: string; status: 'written' }
  | { messageId: string; status: 'duplicate' }
  | { messageId: string; status: 'quarantined'; reason: QuarantineReason; detail: string }
  | { messageId: string; status: 'failed'; error: unknown };

export type RecordStatus = RecordOutcome['status'];
