-- AlterTable
ALTER TABLE "Subject" ADD COLUMN     "erasedAt" TIMESTAMPTZ(3);

-- Erasure (GDPR Art. 17) is the one sanctioned change to append-only records: inside a
-- transaction that has set notarium.erasure = 'on' (set_config(..., true), so it ends with the
-- transaction), the rows may be updated, never deleted.
CREATE OR REPLACE FUNCTION notarium_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('notarium.erasure', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'notarium: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = '55000';
END;
$$;

CREATE TRIGGER "NotificationMilestone_append_only" BEFORE UPDATE OR DELETE ON "NotificationMilestone"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();

-- The audit trail never changes, erasure or not.
CREATE FUNCTION notarium_audit_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'notarium: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = '55000';
END;
$$;

DROP TRIGGER "AuditEntry_append_only" ON "AuditEntry";
CREATE TRIGGER "AuditEntry_append_only" BEFORE UPDATE OR DELETE ON "AuditEntry"
  FOR EACH ROW EXECUTE FUNCTION notarium_audit_immutable();
