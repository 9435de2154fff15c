import type { PiiColumn } from '../../../lambda/record/pii-fields.js';
import type { ClientBase } from 'pg';
import type { OperatorContext } from './operator-context.js';

/** What an audit row is about: a token of either kind, a user id, or (replay) a quarantined message's id. */
export type AuditSubjectKind = PiiColumn | 'user_id' | 'message_id';

/**
 * ok: every value shown; partial: some values shown, some were not in the
 * vault; erased / not_found: nothing to show; authentication_failed: a key or
 * a stored value did not authenticate, nothing shown; failed: anything else
 * after the vault was read, nothing shown. forgotten: written by forget (see
 * forgotten-users.ts). replayed, still_quarantined: a replayed message landed,
 * or failed again (see replay.ts). The table's CHECK (migrations 10 and 12)
 * admits these and no other; a test holds the two lists equal.
 */
export const AUDIT_OUTCOMES = [
  'ok',
  'partial',
  'erased',
  'not_found',
  'authentication_failed',
  'failed',
  'forgotten',
  'replayed',
  'still_quarantined',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export interface AuditEntry {
  context: OperatorContext;
  subjectKind: AuditSubjectKind;
  subject: string;
  outcome: AuditOutcome;
  valuesReturned: number;
}

/**
 * One row of pii_unmask_audit, in the caller's transaction: committed with
 * the reads it describes, or not at all. Who and when are the database's
 * (migration 10): requested_by is the login that authenticated
 * (session_user), requested_at the clock at this insert, the time of the act,
 * not of BEGIN (forget relies on it; see forgotten-users.ts). The name the
 * operator stated is kept as stated_operator.
 */
export async function writeAudit(client: ClientBase, entry: AuditEntry): Promise<{ id: string; requestedAt: Date }> {
  const result = await client.query<{ id: string; requested_at: Date }>(
    `INSERT INTO pii_unmask_audit (stated_operator, subject_kind, subject, reason, outcome, values_returned)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, requested_at`,
    [entry.context.operator, entry.subjectKind, entry.subject, entry.context.reason, entry.outcome, entry.valuesReturned],
  );
  const row = result.rows[0];
  if (!row) throw new Error('the audit row was not written');
  return { id: row.id, requestedAt: row.requested_at };
}
