import type { ClientBase } from 'pg';
import type { OperatorContext } from './operator-context.js';

/** What an audit row is about: a token of either kind, or a user id. */
export type AuditSubjectKind = 'masked_ip' | 'masked_device_id' | 'user_id';

/**
 * ok: every value shown; partial: some values shown, some were not in the
 * vault; erased / not_found: nothing to show; authentication_failed: a key or
 * a stored value did not authenticate, nothing shown; failed: anything else
 * after the vault was read, nothing shown. forgotten: written by forget (see
 * forgotten-users.ts).
 */
export type AuditOutcome = 'ok' | 'partial' | 'erased' | 'not_found' | 'authentication_failed' | 'failed' | 'forgotten';

export interface AuditEntry {
  context: OperatorContext;
  subjectKind: AuditSubjectKind;
  subject: string;
  outcome: AuditOutcome;
  valuesReturned: number;
}

/**
 * SQL for "who": the self-asserted operator name, and the database login that
 * actually authenticated (session_user, not current_user, which a SET ROLE
 * changes). `$n` is the parameter holding the operator name.
 */
export const requestedBy = (n: number): string => `format('%s (db: %s)', $${n}::text, session_user)`;

/**
 * One row of pii_unmask_audit, in the caller's transaction: committed with
 * the reads it describes, or not at all. clock_timestamp(), not now(): the
 * time of the act, not of BEGIN (forget relies on it; see forgotten-users.ts).
 */
export async function writeAudit(client: ClientBase, entry: AuditEntry): Promise<{ id: string; requestedAt: Date }> {
  const result = await client.query<{ id: string; requested_at: Date }>(
    `INSERT INTO pii_unmask_audit (requested_by, requested_at, subject_kind, subject, reason, outcome, values_returned)
     VALUES (${requestedBy(1)}, clock_timestamp(), $2, $3, $4, $5, $6)
     RETURNING id, requested_at`,
    [entry.context.operator, entry.subjectKind, entry.subject, entry.context.reason, entry.outcome, entry.valuesReturned],
  );
  const row = result.rows[0];
  if (!row) throw new Error('the audit row was not written');
  return { id: row.id, requestedAt: row.requested_at };
}
