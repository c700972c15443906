-- AlterTable
ALTER TABLE "Controller" ADD COLUMN     "proofRetentionMonths" INTEGER;

-- CreateIndex
CREATE INDEX "ObjectionCase_subjectId_idx" ON "ObjectionCase"("subjectId");

-- The retention schedule (GDPR Art. 5(1)(e), docs/retention.md) is the one sanctioned DELETE of
-- proof records: inside a transaction that has set notarium.retention = 'on' (set_config(...,
-- true), so it ends with the transaction) a person's notifications, delivery events, milestones,
-- responses and decided objection cases may be deleted, and their subject row with them. Erasure
-- keeps its UPDATE (never DELETE). Every other append-only table — batches, templates, the change
-- feed, the transparency log — keeps notarium_append_only(), which ignores this flag; the audit
-- trail keeps its own trigger, which ignores every flag.
CREATE FUNCTION notarium_proof_record_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('notarium.retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND current_setting('notarium.erasure', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'notarium: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = '55000';
END;
$$;

DROP TRIGGER "Notification_append_only" ON "Notification";
CREATE TRIGGER "Notification_append_only" BEFORE UPDATE OR DELETE ON "Notification"
  FOR EACH ROW EXECUTE FUNCTION notarium_proof_record_guard();
DROP TRIGGER "NotificationEvent_append_only" ON "NotificationEvent";
CREATE TRIGGER "NotificationEvent_append_only" BEFORE UPDATE OR DELETE ON "NotificationEvent"
  FOR EACH ROW EXECUTE FUNCTION notarium_proof_record_guard();
DROP TRIGGER "NotificationMilestone_append_only" ON "NotificationMilestone";
CREATE TRIGGER "NotificationMilestone_append_only" BEFORE UPDATE OR DELETE ON "NotificationMilestone"
  FOR EACH ROW EXECUTE FUNCTION notarium_proof_record_guard();
DROP TRIGGER "Response_append_only" ON "Response";
CREATE TRIGGER "Response_append_only" BEFORE UPDATE OR DELETE ON "Response"
  FOR EACH ROW EXECUTE FUNCTION notarium_proof_record_guard();

-- A subject row goes only with the rest of the person's records, in the retention job.
CREATE FUNCTION notarium_subject_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('notarium.retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'notarium: Subject rows are deleted only by the retention job (DELETE refused)'
    USING ERRCODE = '55000';
END;
$$;

CREATE TRIGGER "Subject_kept" BEFORE DELETE ON "Subject"
  FOR EACH ROW EXECUTE FUNCTION notarium_subject_kept();

-- An objection case is decided once and never changes (erasure may only clear its free text,
-- see 20261203225949_erasure_clears_refusal_reason). The retention job may delete a decided case
-- with the rest of its person's records; an open case is never deleted: the objection is pending
-- (Art. 21(1)) and the job holds its person.
CREATE OR REPLACE FUNCTION notarium_objection_case_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('notarium.retention', true) = 'on' AND OLD."outcome" <> 'OPEN' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'ObjectionCase rows are deleted only by the retention job, and never while open';
  END IF;
  IF current_setting('notarium.erasure', true) = 'on'
     AND (NEW."grounds" IS NULL OR NEW."grounds" IS NOT DISTINCT FROM OLD."grounds")
     AND (NEW."refusalReason" IS NULL OR NEW."refusalReason" IS NOT DISTINCT FROM OLD."refusalReason")
     AND ROW(NEW."id", NEW."controllerId", NEW."responseId", NEW."purposeId", NEW."subjectId",
             NEW."openedAt", NEW."directMarketing", NEW."outcome", NEW."decidedAt", NEW."decidedByKeyId")
         IS NOT DISTINCT FROM
         ROW(OLD."id", OLD."controllerId", OLD."responseId", OLD."purposeId", OLD."subjectId",
             OLD."openedAt", OLD."directMarketing", OLD."outcome", OLD."decidedAt", OLD."decidedByKeyId") THEN
    RETURN NEW;
  END IF;
  IF OLD."outcome" <> 'OPEN' THEN
    RAISE EXCEPTION 'ObjectionCase % is decided and never changes', OLD."id";
  END IF;
  IF NEW."responseId" <> OLD."responseId" OR NEW."openedAt" <> OLD."openedAt"
     OR NEW."grounds" IS DISTINCT FROM OLD."grounds" OR NEW."directMarketing" <> OLD."directMarketing" THEN
    RAISE EXCEPTION 'ObjectionCase %: only the decision may be written', OLD."id";
  END IF;
  RETURN NEW;
END $$;
