-- CreateEnum
CREATE TYPE "LegalBasis" AS ENUM ('CONSENT', 'CONTRACT', 'LEGAL_OBLIGATION', 'VITAL_INTERESTS', 'PUBLIC_TASK', 'LEGITIMATE_INTERESTS');

-- CreateEnum
CREATE TYPE "NoticeVersionStatus" AS ENUM ('DRAFT', 'PUBLISHED', 'RETIRED');

-- CreateEnum
CREATE TYPE "ChangeClass" AS ENUM ('EDITORIAL', 'RENOTIFY', 'RECONSENT');

-- CreateTable
CREATE TABLE "Purpose" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "currentRevision" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archivedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Purpose_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PurposeRevision" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "purposeId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdByKeyId" UUID,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "legalBasis" "LegalBasis" NOT NULL,
    "legitimateInterest" TEXT,
    "dataCategories" TEXT[],
    "specialCategories" JSONB NOT NULL DEFAULT '[]',
    "dataSubjectCategories" TEXT[],
    "dataSources" TEXT[],
    "publiclyAccessibleSources" BOOLEAN NOT NULL DEFAULT false,
    "recipients" TEXT[],
    "retentionPeriodDays" INTEGER,
    "retentionCriteria" TEXT,
    "transfers" JSONB NOT NULL DEFAULT '[]',
    "automatedDecisionMaking" JSONB,
    "consentValidityDays" INTEGER,

    CONSTRAINT "PurposeRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notice" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "defaultLocale" TEXT NOT NULL,
    "requiredLocales" TEXT[],
    "publishedCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archivedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Notice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NoticeVersion" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "status" "NoticeVersionStatus" NOT NULL DEFAULT 'DRAFT',
    "number" INTEGER,
    "changeSummary" TEXT NOT NULL,
    "effectiveFrom" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "createdByKeyId" UUID,
    "publishedAt" TIMESTAMPTZ(3),
    "publishedByKeyId" UUID,
    "changeMessage" TEXT,
    "contentHash" TEXT,
    "canonicalForm" TEXT,
    "classification" "ChangeClass",
    "classificationReasons" JSONB,
    "leadTimeOverrideReason" TEXT,
    "retiredAt" TIMESTAMPTZ(3),
    "retiredByKeyId" UUID,

    CONSTRAINT "NoticeVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NoticeTranslation" (
    "id" UUID NOT NULL,
    "versionId" UUID NOT NULL,
    "locale" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,

    CONSTRAINT "NoticeTranslation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NoticeVersionPurpose" (
    "versionId" UUID NOT NULL,
    "purposeId" UUID NOT NULL,
    "revisionId" UUID,
    "position" INTEGER NOT NULL,

    CONSTRAINT "NoticeVersionPurpose_pkey" PRIMARY KEY ("versionId","purposeId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Purpose_controllerId_key_key" ON "Purpose"("controllerId", "key");

-- CreateIndex
CREATE INDEX "PurposeRevision_controllerId_purposeId_createdAt_idx" ON "PurposeRevision"("controllerId", "purposeId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "PurposeRevision_purposeId_number_key" ON "PurposeRevision"("purposeId", "number");

-- CreateIndex
CREATE INDEX "Notice_controllerId_createdAt_idx" ON "Notice"("controllerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notice_controllerId_key_key" ON "Notice"("controllerId", "key");

-- CreateIndex
CREATE INDEX "NoticeVersion_noticeId_status_effectiveFrom_idx" ON "NoticeVersion"("noticeId", "status", "effectiveFrom");

-- CreateIndex
CREATE INDEX "NoticeVersion_controllerId_status_idx" ON "NoticeVersion"("controllerId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "NoticeVersion_noticeId_number_key" ON "NoticeVersion"("noticeId", "number");

-- CreateIndex
CREATE UNIQUE INDEX "NoticeTranslation_versionId_locale_key" ON "NoticeTranslation"("versionId", "locale");

-- CreateIndex
CREATE INDEX "NoticeVersionPurpose_purposeId_idx" ON "NoticeVersionPurpose"("purposeId");

-- CreateIndex
CREATE INDEX "NoticeVersionPurpose_revisionId_idx" ON "NoticeVersionPurpose"("revisionId");

-- AddForeignKey
ALTER TABLE "Purpose" ADD CONSTRAINT "Purpose_controllerId_fkey" FOREIGN KEY ("controllerId") REFERENCES "Controller"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PurposeRevision" ADD CONSTRAINT "PurposeRevision_purposeId_fkey" FOREIGN KEY ("purposeId") REFERENCES "Purpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notice" ADD CONSTRAINT "Notice_controllerId_fkey" FOREIGN KEY ("controllerId") REFERENCES "Controller"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NoticeVersion" ADD CONSTRAINT "NoticeVersion_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NoticeTranslation" ADD CONSTRAINT "NoticeTranslation_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "NoticeVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NoticeVersionPurpose" ADD CONSTRAINT "NoticeVersionPurpose_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "NoticeVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NoticeVersionPurpose" ADD CONSTRAINT "NoticeVersionPurpose_purposeId_fkey" FOREIGN KEY ("purposeId") REFERENCES "Purpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NoticeVersionPurpose" ADD CONSTRAINT "NoticeVersionPurpose_revisionId_fkey" FOREIGN KEY ("revisionId") REFERENCES "PurposeRevision"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Immutability, enforced by the database as well as the service (hand-written; Prisma does not
-- manage triggers, so `migrate check` ignores them).

-- Purpose revisions never change: a change is a new revision.
CREATE FUNCTION notarium_purpose_revision_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'notarium: purpose revisions are immutable (% on revision %)', TG_OP, OLD."id"
    USING ERRCODE = '55000';
END;
$$;

CREATE TRIGGER "PurposeRevision_immutable"
  BEFORE UPDATE OR DELETE ON "PurposeRevision"
  FOR EACH ROW EXECUTE FUNCTION notarium_purpose_revision_immutable();

-- A published version never changes; the only transition left is PUBLISHED -> RETIRED, which
-- may touch nothing but the status and the retirement fields.
CREATE FUNCTION notarium_notice_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."status" = 'DRAFT' THEN
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD."status" = 'PUBLISHED' AND NEW."status" = 'RETIRED'
     AND (to_jsonb(NEW) - 'status' - 'retiredAt' - 'retiredByKeyId' - 'updatedAt')
       = (to_jsonb(OLD) - 'status' - 'retiredAt' - 'retiredByKeyId' - 'updatedAt') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'notarium: notice version % is % and immutable (% refused)', OLD."id", OLD."status", TG_OP
    USING ERRCODE = '55000';
END;
$$;

CREATE TRIGGER "NoticeVersion_immutable"
  BEFORE UPDATE OR DELETE ON "NoticeVersion"
  FOR EACH ROW EXECUTE FUNCTION notarium_notice_version_immutable();

-- Texts and purposes of a version may change only while it is a draft.
CREATE FUNCTION notarium_version_part_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  version_status "NoticeVersionStatus";
BEGIN
  SELECT "status" INTO version_status FROM "NoticeVersion"
    WHERE "id" = CASE WHEN TG_OP = 'INSERT' THEN NEW."versionId" ELSE OLD."versionId" END;
  IF version_status IS NOT NULL AND version_status <> 'DRAFT' THEN
    RAISE EXCEPTION 'notarium: % of a % notice version is immutable (% refused)', TG_TABLE_NAME, version_status, TG_OP
      USING ERRCODE = '55000';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;

CREATE TRIGGER "NoticeTranslation_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "NoticeTranslation"
  FOR EACH ROW EXECUTE FUNCTION notarium_version_part_immutable();

CREATE TRIGGER "NoticeVersionPurpose_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "NoticeVersionPurpose"
  FOR EACH ROW EXECUTE FUNCTION notarium_version_part_immutable();
