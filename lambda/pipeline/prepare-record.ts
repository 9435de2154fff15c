import { createSecretKey, type KeyObject } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { PermanentRecordError, QuarantineReason, type RowRejectedError } from '../errors.js';
import type { Tokenizer } from '../masking/tokenize.js';
import { encodeAppVersion } from '../record/app-version.js';
import type { LoginMessage } from '../record/login-schema.js';
import { parseLogin } from '../record/parse-login.js';
import { PII_FIELDS } from '../record/pii-fields.js';
import { RowSealer, rowSealKeys } from '../vault/row-seal.js';
import { quarantineContext, seal, type Sealed } from '../vault/seal.js';
import { sealOriginals } from '../vault/sealed-originals.js';
import { isoUtc } from './iso-utc.js';
import { quarantinePreview, quarantineUserToken } from './quarantine-preview.js';
import type { DataKeyLease, LoginRow, PreparedRecord, QuarantineRow } from './types.js';

/** What preparing a chunk needs: the masking key and the current data key. */
export interface PrepareContext {
  tokenizer: Tokenizer;
  /** The current data key, imported once per key: quarantined bodies are sealed with it. */
  dataKey: KeyObject;
  /** Login rows' originals are sealed by it, under the same data key. */
  rows: RowSealer;
  /** Used when a record carries no SentTimestamp (hand-written events). */
  now: Date;
  /** Open SNS and EventBridge envelopes (UNWRAP_ENVELOPES); on unless false. */
  unwrapEnvelopes?: boolean;
  /**
   * The uses of `dataKey` reserved for this work: every seal takes one, and
   * one past the reservation throws instead of over-using the key. The
   * pipeline always passes it.
   */
  lease?: Pick<DataKeyLease, 'take'>;
}

/** A context's keys from a data key as a lease holds it (imported, its row keys derived), for `rows` login rows. */
export function sealingWith(key: Pick<DataKeyLease, 'key' | 'rowKeys'>, rows: number): Pick<PrepareContext, 'dataKey' | 'rows'> {
  return { dataKey: key.key, rows: new RowSealer(key.rowKeys, rows) };
}

/** The same from a raw data key: how the tools and tests seal outside the pipeline's lease. */
export function sealingUnder(dataKey: Buffer, rows: number): Pick<PrepareContext, 'dataKey' | 'rows'> {
  return sealingWith({ key: createSecretKey(dataKey), rowKeys: rowSealKeys(dataKey) }, rows);
}

/** AES-256-GCM under the context's data key, counted against its lease. */
function sealCounted(ctx: PrepareContext, plaintext: Buffer, context: string): Sealed {
  ctx.lease?.take();
  return seal(ctx.dataKey, plaintext, context);
}

/** Positions of the token columns' fields in PII_FIELDS. */
const IP = PII_FIELDS.findIndex((f) => f.column === 'masked_ip');
const DEVICE_ID = PII_FIELDS.findIndex((f) => f.column === 'masked_device_id');

const epochMs = (raw: string | undefined): number | undefined => {
  const ms = Number(raw);
  return raw && Number.isFinite(ms) && ms > 0 ? ms : undefined;
};

/** When SQS got the message (SentTimestamp, else its first receive), or `fallback`, in epoch milliseconds. */
function sentAt(record: SQSRecord, fallback: Date): number {
  return epochMs(record.attributes?.SentTimestamp) ?? epochMs(record.attributes?.ApproximateFirstReceiveTimestamp) ?? fallback.getTime();
}

function receiveCount(record: SQSRecord): number | null {
  const n = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(n) && n >= 0 && n <= 2_147_483_647 ? n : null;
}

function loginRow(record: SQSRecord, message: LoginMessage, ctx: PrepareContext): LoginRow {
  const sent = isoUtc(sentAt(record, ctx.now));
  const originals: string[] = [];
  const tokens: string[] = [];
  for (const { field, kind } of PII_FIELDS) {
    originals.push(message[field]);
    tokens.push(ctx.tokenizer.token(kind, message[field]));
  }
  ctx.lease?.take();
  return {
    messageId: record.messageId,
    userId: message.user_id,
    deviceType: message.device_type,
    maskedIp: tokens[IP] as string,
    maskedDeviceId: tokens[DEVICE_ID] as string,
    locale: message.locale,
    appVersion: encodeAppVersion(message.app_version),
    appVersionText: message.app_version,
    createDate: sent.slice(0, 10),
    sentAt: sent,
    keyVersion: ctx.tokenizer.version,
    piiSealed: sealOriginals(ctx.rows, originals, record.messageId),
  };
}

function quarantineRow(
  record: SQSRecord,
  error: PermanentRecordError,
  json: unknown,
  ctx: PrepareContext,
): QuarantineRow {
  const body = record.body ?? '';
  const sealed = sealCounted(ctx, Buffer.from(body, 'utf8'), quarantineContext(record.messageId));
  return {
    messageId: record.messageId,
    reason: error.reason,
    detail: error.detail,
    preview: quarantinePreview(json, body.length, ctx.tokenizer),
    userToken: quarantineUserToken(json, ctx.tokenizer),
    bodyNonce: sealed.nonce,
    bodyCiphertext: sealed.ciphertext,
    keyVersion: ctx.tokenizer.version,
    sentAt: new Date(sentAt(record, ctx.now)),
    receiveCount: receiveCount(record),
  };
}

/**
 * The quarantine row of a login Postgres refused (the row alone, after
 * bisection): the rejection's detail (its SQLSTATE, never the server's
 * text), and the preview and user token of the login it carried (inside its
 * envelope, if it came in one), so that forget can find it.
 */
export function rejectedRow(record: SQSRecord, error: RowRejectedError, ctx: PrepareContext): QuarantineRow {
  const parsed = parseLogin(typeof record.body === 'string' ? record.body : '', { unwrapEnvelopes: ctx.unwrapEnvelopes });
  const login = parsed.ok ? parsed.message : parsed.json;
  const reason = new PermanentRecordError(QuarantineReason.RejectedByDatabase, error.detail);
  return quarantineRow(record, reason, login, ctx);
}

/** Parse, validate, mask and seal one record. Pure but for the random nonces and the row sealer's place in its keystream. */
export function prepareRecord(record: SQSRecord, ctx: PrepareContext): PreparedRecord {
  const parsed = parseLogin(typeof record.body === 'string' ? record.body : '', ctx);
  if (!parsed.ok) {
    return { kind: 'quarantine', messageId: record.messageId, row: quarantineRow(record, parsed.error, parsed.json, ctx) };
  }
  return { kind: 'login', messageId: record.messageId, row: loginRow(record, parsed.message, ctx) };
}
