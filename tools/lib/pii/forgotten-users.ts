/**
 * "User U was forgotten at T". The schema's pii_erasures is keyed by token,
 * so it cannot say this for a user whose values are all shared with other
 * users (nothing of theirs is shredded). Without it, a later erasure of the
 * other user would keep the shared value alive for nobody, and unmask by
 * user id would still show it. The fact is therefore the audit row forget
 * writes (subject_kind 'user_id', outcome 'forgotten'): append-only for the
 * operator role, and written in the same transaction as the shredding.
 *
 * A login row is dead when its user was forgotten at or after the login was
 * sent (SQS SentTimestamp, kept in sent_at; ingested_at for rows older than
 * that column). Sent time, not ingestion time: a message still in the queue
 * or the DLQ when the erasure ran is the user's past, however late it lands.
 * Logins sent after the erasure are new data and live again.
 */
export const FORGOTTEN_OUTCOME = 'forgotten';

/** SQL: when the row `alias` was erased, or NULL while it is live. */
export const rowForgottenAt = (alias: string): string =>
  `(SELECT min(a.requested_at) FROM pii_unmask_audit a
     WHERE a.subject_kind = 'user_id' AND a.outcome = '${FORGOTTEN_OUTCOME}'
       AND a.subject = ${alias}.user_id
       AND a.requested_at >= coalesce(${alias}.sent_at, ${alias}.ingested_at))`;
