/**
 * The audit trail says what the database knows, not what a client claims.
 * Who (requested_by) is the authenticated login, session_user (not
 * current_user, which SET ROLE changes), and when (requested_at, erased_at)
 * is the clock at the insert, clock_timestamp() (the act's time, not the
 * transaction's start: forget relies on it); BEFORE INSERT triggers set both
 * whatever the INSERT says, so a forged name or a back- or forward-dated row
 * is stored with the real ones. Operators may insert only these columns (the
 * audit id comes from its sequence) and never UPDATE or DELETE (migration 4
 * grants neither); only a table's owner can disable its triggers. The name an
 * operator states (--operator) is kept beside, as stated_operator: useful,
 * not authenticated. outcome, subject_kind and kind are limited to the values
 * the tools write.
 */
export const sql = `
ALTER TABLE pii_unmask_audit ADD COLUMN IF NOT EXISTS stated_operator text;
ALTER TABLE pii_erasures ADD COLUMN IF NOT EXISTS stated_operator text;

CREATE OR REPLACE FUNCTION login_etl_stamp_unmask_audit() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
BEGIN
  NEW.requested_by := session_user;
  NEW.requested_at := clock_timestamp();
  RETURN NEW;
END
$fn$;
CREATE OR REPLACE FUNCTION login_etl_stamp_erasure() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
BEGIN
  NEW.requested_by := session_user;
  NEW.erased_at := clock_timestamp();
  RETURN NEW;
END
$fn$;
REVOKE ALL ON FUNCTION login_etl_stamp_unmask_audit(), login_etl_stamp_erasure() FROM PUBLIC;
DROP TRIGGER IF EXISTS login_etl_stamp ON pii_unmask_audit;
CREATE TRIGGER login_etl_stamp BEFORE INSERT ON pii_unmask_audit
  FOR EACH ROW EXECUTE FUNCTION login_etl_stamp_unmask_audit();
DROP TRIGGER IF EXISTS login_etl_stamp ON pii_erasures;
CREATE TRIGGER login_etl_stamp BEFORE INSERT ON pii_erasures
  FOR EACH ROW EXECUTE FUNCTION login_etl_stamp_erasure();

REVOKE INSERT ON pii_unmask_audit, pii_erasures FROM login_etl_operator;
GRANT INSERT (requested_by, requested_at, subject_kind, subject, reason, outcome, values_returned, stated_operator)
  ON pii_unmask_audit TO login_etl_operator;
GRANT INSERT (token, kind, user_id, requested_by, erased_at, reason, stated_operator)
  ON pii_erasures TO login_etl_operator;

ALTER TABLE pii_unmask_audit
  ADD CONSTRAINT pii_unmask_audit_outcome_check
    CHECK (outcome IN ('ok', 'partial', 'erased', 'not_found', 'authentication_failed', 'failed', 'forgotten')),
  ADD CONSTRAINT pii_unmask_audit_subject_kind_check CHECK (subject_kind IN ('masked_ip', 'masked_device_id', 'user_id')),
  ADD CONSTRAINT pii_unmask_audit_values_returned_check CHECK (values_returned >= 0);
ALTER TABLE pii_erasures ADD CONSTRAINT pii_erasures_kind_check CHECK (kind IN ('ip', 'device_id'));
`;
