import type { ClientBase } from 'pg';
import { rowRejection } from '../../../lambda/db/database-errors.js';
import { writeArguments } from '../../../lambda/db/login-store.js';
import { WRITE_ARGUMENTS, WRITE_PARAMETERS } from '../../../lambda/db/write-spec.js';
import type { QuarantineReason } from '../../../lambda/errors.js';
import type { Tokenizer } from '../../../lambda/masking/tokenize.js';
import { toWriteSet } from '../../../lambda/pipeline/chunk-writer.js';
import { prepareRecord, rejectedRow, sealingUnder, type PrepareContext } from '../../../lambda/pipeline/prepare-record.js';
import { SEALS_PER_RECORD, type DataKeyLease, type LoginRow, type PreparedRecord } from '../../../lambda/pipeline/types.js';
import { DataKeyLimitError } from '../../../lambda/vault/data-key-cache.js';
import { KekError } from '../../../lambda/vault/key-encryption-key.js';
import { VaultAuthenticationError } from '../../../lambda/vault/seal.js';
import type { StoredQuarantineBody, VaultReader } from '../../../lambda/vault/vault-reader.js';
import { sqsRecord } from '../sqs-event.js';
import { writeAudit, type AuditOutcome } from './audit.js';
import { rowForgottenAt } from './forgotten-users.js';
import type { OperatorContext } from './operator-context.js';
import type { ReplayFilter } from './replay-filter.js';

/** A quarantined message as a dry run lists it: no body, no preview, no detail. */
export interface QuarantinedMessage {
  messageId: string;
  reason: QuarantineReason;
  quarantinedAt: Date;
  sentAt: Date | null;
  /** False when forget shredded its body: it cannot be replayed. */
  sealed: boolean;
}

/** What became of one message. Each but `gone` has its audit row. */
export type ReplayResult =
  | { messageId: string; outcome: 'replayed'; auditId: string }
  | { messageId: string; outcome: 'still_quarantined'; reason: QuarantineReason; detail: string; auditId: string }
  | { messageId: string; outcome: 'erased'; why: 'shredded' | 'forgotten'; auditId: string }
  /** No longer quarantined for this reason when its turn came (another replay took it): nothing done. */
  | { messageId: string; outcome: 'gone' };

/** What replaying needs besides the connection: the pipeline's masking and settings, and the vault's reader. */
export interface ReplayDeps {
  tokenizer: Tokenizer;
  reader: VaultReader;
  unwrapEnvelopes: boolean;
  now?: () => Date;
}

const LIST_SQL = `
SELECT message_id, reason, quarantined_at, sent_at, body_ciphertext IS NOT NULL AS sealed
FROM user_logins_quarantine
WHERE reason = $1 AND ($2::varchar IS NULL OR message_id = $2) AND ($3::timestamptz IS NULL OR quarantined_at >= $3)
ORDER BY quarantined_at, message_id`;

/** The messages a filter selects, oldest first. Reads what an analyst may read, and nothing is audited. */
export async function listQuarantined(client: ClientBase, filter: ReplayFilter): Promise<QuarantinedMessage[]> {
  const { rows } = await client.query<{
    message_id: string;
    reason: QuarantineReason;
    quarantined_at: Date;
    sent_at: Date | null;
    sealed: boolean;
  }>(LIST_SQL, [filter.reason, filter.messageId ?? null, filter.since?.toISOString() ?? null]);
  return rows.map((r) => ({ messageId: r.message_id, reason: r.reason, quarantinedAt: r.quarantined_at, sentAt: r.sent_at, sealed: r.sealed }));
}

/** The message's row, locked until its transaction ends: a concurrent replay or forget waits, then sees what this one did. */
const LOCK_SQL = `
SELECT q.message_id, q.body_dek_id, q.body_nonce, q.body_ciphertext, q.receive_count,
       date_trunc('milliseconds', coalesce(q.sent_at, q.quarantined_at)) AS sent_at, k.kek_id, k.wrapped_key
FROM user_logins_quarantine q LEFT JOIN vault_data_keys k ON k.id = q.body_dek_id
WHERE q.message_id = $1 AND q.reason = $2
FOR UPDATE OF q`;

interface LockedRow {
  message_id: string;
  body_dek_id: string | null;
  body_nonce: Buffer | null;
  body_ciphertext: Buffer | null;
  receive_count: number | null;
  sent_at: Date;
  kek_id: string | null;
  wrapped_key: Buffer | null;
}

/** A sealed body with the data key that opens it. */
type SealedRow = LockedRow & { body_dek_id: string; body_nonce: Buffer; body_ciphertext: Buffer; kek_id: string; wrapped_key: Buffer };

const isSealed = (row: LockedRow): row is SealedRow =>
  row.body_ciphertext !== null && row.body_nonce !== null && row.body_dek_id !== null && row.kek_id !== null && row.wrapped_key !== null;

const REPLAY_SQL = `SELECT out_outcome AS outcome, out_audit_id AS audit_id FROM login_etl_replay_v2(${WRITE_ARGUMENTS}, $${WRITE_PARAMETERS.length + 1}::text, $${WRITE_PARAMETERS.length + 2}::text)`;
const REQUARANTINE_SQL = `SELECT out_outcome AS outcome, out_audit_id AS audit_id FROM login_etl_requarantine_v1($1, $2, $3, $4, $5)`;
const SHRED_SQL = `UPDATE user_logins_quarantine SET body_dek_id = NULL, body_nonce = NULL, body_ciphertext = NULL WHERE message_id = $1`;
const FORGOTTEN_SQL = `SELECT ${rowForgottenAt('r')} AS erased_at
FROM (SELECT $1::varchar AS user_id, $2::timestamptz AS sent_at, NULL::timestamptz AS ingested_at) r`;

/** Raised with the results so far when a replay stops: what committed stays committed. */
export class ReplayStoppedError extends Error {
  override readonly name = 'ReplayStoppedError';
  constructor(
    readonly results: ReplayResult[],
    readonly reason: unknown,
  ) {
    super(reason instanceof Error ? reason.message : String(reason), { cause: reason });
  }
}

/** Runs work on a connection: the operator session's (which retries work a dead connection interrupted), or a test's client. */
export type RunOnConnection = <T>(work: (client: ClientBase) => Promise<T>) => Promise<T>;

/**
 * Replays the selected messages one by one, each in its own transaction, so a
 * failure ends the run without undoing the messages before it. The first
 * failure stops the run: a key that opens nothing, a database gone away.
 */
export async function replayAll(
  run: RunOnConnection,
  request: { messages: readonly QuarantinedMessage[]; context: OperatorContext },
  deps: ReplayDeps,
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const message of request.messages) {
    try {
      results.push(await run((client) => replayOne(client, message, request.context, deps)));
    } catch (error) {
      throw new ReplayStoppedError(results, error);
    }
  }
  return results;
}

/**
 * One message, in one transaction: lock its row, open its body, run the
 * body through the pipeline's parse, validation, masking and sealing
 * (prepareRecord), then land it through the pipeline's write
 * (login_etl_replay_v1) or give it its new reason (login_etl_requarantine_v1).
 * Every outcome commits with its audit row. When the transaction fails
 * instead, it is rolled back and the attempt audited on its own:
 * authentication_failed when the key did not open the body, failed when the
 * body was opened.
 */
async function replayOne(
  client: ClientBase,
  message: QuarantinedMessage,
  context: OperatorContext,
  deps: ReplayDeps,
): Promise<ReplayResult> {
  const audited = auditOf(client, context, message.messageId);
  let opened = false;
  await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    // The vault before the row, in forget's order: a forget running now (vault, then the rows it shreds) and this
    // replay (vault, then this row) queue on the vault instead of each holding what the other waits for (40P01).
    await client.query('LOCK TABLE pii_vault IN ROW EXCLUSIVE MODE');
    const row = (await client.query<LockedRow>(LOCK_SQL, [message.messageId, message.reason])).rows[0];
    let result: ReplayResult;
    if (!row) result = { messageId: message.messageId, outcome: 'gone' };
    else if (!isSealed(row)) result = { messageId: row.message_id, outcome: 'erased', why: 'shredded', auditId: (await audited('erased')).id };
    else {
      const body = await deps.reader.openBody(storedBody(row));
      opened = true;
      result = await runThroughPipeline(client, row, body, context, deps);
    }
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const keyFailed = error instanceof VaultAuthenticationError || error instanceof KekError;
    if (keyFailed || opened) await audited(keyFailed ? 'authentication_failed' : 'failed').catch(() => undefined);
    throw error;
  }
}

/** Writes the message's audit row (in the caller's transaction, or on its own after a rollback). */
const auditOf = (client: ClientBase, context: OperatorContext, messageId: string) => (outcome: AuditOutcome) =>
  writeAudit(client, { context, subjectKind: 'message_id', subject: messageId, outcome, valuesReturned: 0 });

function storedBody(row: SealedRow): StoredQuarantineBody {
  return {
    messageId: row.message_id,
    dekId: row.body_dek_id,
    kekId: row.kek_id,
    wrappedKey: row.wrapped_key,
    nonce: row.body_nonce,
    ciphertext: row.body_ciphertext,
  };
}

async function runThroughPipeline(
  client: ClientBase,
  row: SealedRow,
  body: string,
  context: OperatorContext,
  deps: ReplayDeps,
): Promise<ReplayResult> {
  const record = sqsRecord(body, { messageId: row.message_id, sentTimestamp: row.sent_at.getTime(), receiveCount: row.receive_count ?? 1 });
  const ctx = await replayContext(row, deps);
  const prepared = prepareRecord(record, ctx);
  ctx.rows.dispose();
  if (prepared.kind === 'quarantine') return requarantine(client, prepared.messageId, prepared.row, context);
  if (await userForgotten(client, prepared.row)) {
    await client.query(SHRED_SQL, [row.message_id]);
    const audit = await auditOf(client, context, row.message_id)('erased');
    return { messageId: row.message_id, outcome: 'erased', why: 'forgotten', auditId: audit.id };
  }
  await client.query('SAVEPOINT replay');
  try {
    return await land(client, row, prepared, context, deps);
  } catch (error) {
    const rejection = rowRejection(error);
    if (!rejection) throw error;
    // Refused for the row's content, as the pipeline's write would have been: quarantined as the pipeline quarantines it.
    await client.query('ROLLBACK TO SAVEPOINT replay');
    return requarantine(client, row.message_id, rejectedRow(record, rejection, ctx), context);
  }
}

/**
 * The pipeline's context for one record, sealing under the data key of the
 * message's own body (an operator unwraps keys but cannot make them), at
 * most as many values as the pipeline lets one record seal.
 */
async function replayContext(row: SealedRow, deps: ReplayDeps): Promise<PrepareContext> {
  const key = await deps.reader.dataKey({ dekId: row.body_dek_id, kekId: row.kek_id, wrappedKey: row.wrapped_key });
  return {
    tokenizer: deps.tokenizer,
    ...sealingUnder(key, 1),
    now: deps.now?.() ?? new Date(),
    unwrapEnvelopes: deps.unwrapEnvelopes,
    lease: sealsOfOneRecord(row.body_dek_id),
  };
}

/** A replayed record's seals under its body's key: the pipeline's worst case for one record, and not one more. */
export function sealsOfOneRecord(dekId: string): Pick<DataKeyLease, 'take'> {
  let left = SEALS_PER_RECORD;
  return {
    take() {
      if (left <= 0) throw new DataKeyLimitError(`data key ${dekId}: a replayed record seals at most ${SEALS_PER_RECORD} values`);
      left -= 1;
    },
  };
}

/** Whether the login's user was forgotten at or after it was sent (forgotten-users.ts): its values must not come back. */
async function userForgotten(client: ClientBase, login: LoginRow): Promise<boolean> {
  const { rows } = await client.query<{ erased_at: Date | null }>(FORGOTTEN_SQL, [login.userId, login.sentAt]);
  return Boolean(rows[0]?.erased_at);
}

async function land(
  client: ClientBase,
  row: SealedRow,
  prepared: PreparedRecord,
  context: OperatorContext,
  deps: ReplayDeps,
): Promise<ReplayResult> {
  const set = toWriteSet([prepared], { id: row.body_dek_id, kekId: row.kek_id, wrapped: row.wrapped_key });
  const parameters = writeArguments(set);
  const { rows } = await client.query<{ audit_id: string }>({ text: REPLAY_SQL, values: [...parameters, context.operator, context.reason] });
  return { messageId: row.message_id, outcome: 'replayed', auditId: String(rows[0]?.audit_id) };
}

async function requarantine(
  client: ClientBase,
  messageId: string,
  quarantined: { reason: QuarantineReason; detail: string },
  context: OperatorContext,
): Promise<ReplayResult> {
  const { rows } = await client.query<{ audit_id: string }>(REQUARANTINE_SQL, [
    messageId,
    quarantined.reason,
    quarantined.detail,
    context.operator,
    context.reason,
  ]);
  return { messageId, outcome: 'still_quarantined', reason: quarantined.reason, detail: quarantined.detail, auditId: String(rows[0]?.audit_id) };
}
