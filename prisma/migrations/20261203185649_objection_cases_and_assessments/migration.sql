-- CreateEnum
CREATE TYPE "ObjectionOutcome" AS ENUM ('OPEN', 'HONOURED', 'REFUSED');

-- AlterTable
ALTER TABLE "Controller" ADD COLUMN     "objectionDecisionDays" INTEGER NOT NULL DEFAULT 30;

-- AlterTable
ALTER TABLE "PurposeRevision" ADD COLUMN     "legitimateInterestAssessment" JSONB,
ADD COLUMN     "objectionMechanism" JSONB;

-- CreateTable
CREATE TABLE "ObjectionCase" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "responseId" UUID NOT NULL,
    "purposeId" UUID NOT NULL,
    "subjectId" UUID NOT NULL,
    "openedAt" TIMESTAMPTZ(3) NOT NULL,
    "grounds" TEXT,
    "directMarketing" BOOLEAN NOT NULL DEFAULT false,
    "outcome" "ObjectionOutcome" NOT NULL DEFAULT 'OPEN',
    "refusalReason" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "decidedByKeyId" UUID,

    CONSTRAINT "ObjectionCase_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ObjectionCase_responseId_key" ON "ObjectionCase"("responseId");

-- CreateIndex
CREATE INDEX "ObjectionCase_controllerId_purposeId_outcome_openedAt_idx" ON "ObjectionCase"("controllerId", "purposeId", "outcome", "openedAt");

-- AddForeignKey
ALTER TABLE "ObjectionCase" ADD CONSTRAINT "ObjectionCase_responseId_fkey" FOREIGN KEY ("responseId") REFERENCES "Response"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every objection recorded before cases existed opens one, undecided: eligibility stays as it was.
INSERT INTO "ObjectionCase" ("id", "controllerId", "responseId", "purposeId", "subjectId", "openedAt")
SELECT gen_random_uuid(), r."controllerId", r."id", r."purposeId", r."subjectId", r."occurredAt"
FROM "Response" r WHERE r."kind" = 'OBJECTED';

-- A case is decided once: a decided case never changes, and no case is deleted.
CREATE OR REPLACE FUNCTION notarium_objection_case_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'ObjectionCase rows are never deleted';
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

CREATE TRIGGER "ObjectionCase_decided_once" BEFORE UPDATE OR DELETE ON "ObjectionCase"
FOR EACH ROW EXECUTE FUNCTION notarium_objection_case_decided_once();
