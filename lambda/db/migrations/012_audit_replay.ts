/**
 * The audit's vocabulary for replay (npm run replay, docs/pii.md). Every
 * quarantined message an operator unseals to replay gets an audit row:
 * subject_kind 'message_id', subject its message id, and an outcome:
 * replayed (it landed in user_logins and left the quarantine),
 * still_quarantined (it failed again; its reason and detail are the new
 * ones), or erased, authentication_failed and failed as for unmask. A CHECK
 * cannot be altered, so each is replaced with the values of migration 10 and
 * these.
 */
export const sql = `
ALTER TABLE pii_unmask_audit
  DROP CONSTRAINT IF EXISTS pii_unmask_audit_outcome_check,
  DROP CONSTRAINT IF EXISTS pii_unmask_audit_subject_kind_check,
  ADD CONSTRAINT pii_unmask_audit_outcome_check CHECK (outcome IN
    ('ok', 'partial', 'erased', 'not_found', 'authentication_failed', 'failed', 'forgotten', 'replayed', 'still_quarantined')),
  ADD CONSTRAINT pii_unmask_audit_subject_kind_check CHECK (subject_kind IN ('masked_ip', 'masked_device_id', 'user_id', 'message_id'));
`;
