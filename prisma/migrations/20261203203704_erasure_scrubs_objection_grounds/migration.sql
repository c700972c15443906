-- A case is decided once: a decided case never changes, and no case is deleted. The one
-- exception is erasure (GDPR Art. 17): inside a transaction that has set notarium.erasure = 'on'
-- (transaction-local), the person's free-text grounds may be set to NULL — open or decided —
-- and nothing else about the case may change.
CREATE OR REPLACE FUNCTION notarium_objection_case_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ObjectionCase rows are never deleted';
  END IF;
  IF current_setting('notarium.erasure', true) = 'on' AND NEW."grounds" IS NULL
     AND ROW(NEW."id", NEW."controllerId", NEW."responseId", NEW."purposeId", NEW."subjectId",
             NEW."openedAt", NEW."directMarketing", NEW."outcome", NEW."refusalReason",
             NEW."decidedAt", NEW."decidedByKeyId")
         IS NOT DISTINCT FROM
         ROW(OLD."id", OLD."controllerId", OLD."responseId", OLD."purposeId", OLD."subjectId",
             OLD."openedAt", OLD."directMarketing", OLD."outcome", OLD."refusalReason",
             OLD."decidedAt", OLD."decidedByKeyId") THEN
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
