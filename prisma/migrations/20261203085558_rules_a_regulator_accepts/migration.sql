-- AlterEnum
ALTER TYPE "NotificationEventType" ADD VALUE 'DISPLAYED';

-- AlterTable
ALTER TABLE "Controller" ADD COLUMN     "reachEvidence" JSONB;

-- AlterTable
ALTER TABLE "EligibilityManifest" ADD COLUMN     "settings" JSONB;

-- AlterTable
ALTER TABLE "NoticeVersion" ADD COLUMN     "controllerIdentity" JSONB,
ADD COLUMN     "minimumNoticeDays" INTEGER,
ADD COLUMN     "wordingSignOff" JSONB;

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "templateId" UUID;

-- AlterTable
ALTER TABLE "PurposeRevision" ADD COLUMN     "basisChangeJustification" TEXT,
ADD COLUMN     "explicitConsent" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "MessageTemplate" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "channel" "NotificationChannel" NOT NULL,
    "locale" TEXT NOT NULL,
    "revision" INTEGER NOT NULL,
    "subject" TEXT,
    "body" TEXT NOT NULL,
    "linkTarget" TEXT,
    "contentHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdByKeyId" UUID,

    CONSTRAINT "MessageTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MessageTemplate_controllerId_key_channel_locale_revision_key" ON "MessageTemplate"("controllerId", "key", "channel", "locale", "revision");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "MessageTemplate"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Versions published before the lead time was frozen with them take the controller's setting as
-- it is now: the value their verdicts have been computed with so far. The immutability trigger is
-- lifted for this one statement only.
ALTER TABLE "NoticeVersion" DISABLE TRIGGER "NoticeVersion_immutable";
UPDATE "NoticeVersion" v SET "minimumNoticeDays" = c."minimumNoticeDays"
  FROM "Controller" c WHERE c."id" = v."controllerId" AND v."status" <> 'DRAFT';
ALTER TABLE "NoticeVersion" ENABLE TRIGGER "NoticeVersion_immutable";

-- A message template revision never changes: a proof quotes it.
CREATE TRIGGER "MessageTemplate_append_only" BEFORE UPDATE OR DELETE ON "MessageTemplate"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
