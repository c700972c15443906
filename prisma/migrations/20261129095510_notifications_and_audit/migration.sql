-- CreateEnum
CREATE TYPE "NotificationChannel" AS ENUM ('EMAIL', 'IN_APP', 'PUSH', 'SMS', 'POSTAL', 'WEB_BANNER', 'OTHER');

-- CreateEnum
CREATE TYPE "NotificationEventType" AS ENUM ('SENT', 'DELIVERED', 'BOUNCED', 'FAILED', 'OPENED', 'ACKNOWLEDGED', 'DISMISSED');

-- CreateEnum
CREATE TYPE "ResponseKind" AS ENUM ('CONSENT_GIVEN', 'CONSENT_WITHDRAWN', 'OBJECTED', 'OBJECTION_WITHDRAWN');

-- CreateTable
CREATE TABLE "Subject" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "refHash" TEXT NOT NULL,
    "jurisdiction" TEXT,
    "locale" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Subject_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationBatch" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "apiKeyId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "itemCount" INTEGER NOT NULL,
    "itemsHash" TEXT NOT NULL,

    CONSTRAINT "NotificationBatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "subjectId" UUID NOT NULL,
    "versionId" UUID NOT NULL,
    "channel" "NotificationChannel" NOT NULL,
    "locale" TEXT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "campaignId" UUID,
    "senderMessageId" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,
    "jurisdiction" TEXT,
    "batchId" UUID NOT NULL,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationEvent" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "notificationKey" TEXT NOT NULL,
    "type" "NotificationEventType" NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "detail" TEXT,

    CONSTRAINT "NotificationEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationMilestone" (
    "controllerId" UUID NOT NULL,
    "notificationKey" TEXT NOT NULL,
    "type" "NotificationEventType" NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "NotificationMilestone_pkey" PRIMARY KEY ("controllerId","notificationKey","type")
);

-- CreateTable
CREATE TABLE "Response" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "subjectId" UUID NOT NULL,
    "purposeId" UUID NOT NULL,
    "kind" "ResponseKind" NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "channel" "NotificationChannel" NOT NULL,
    "versionId" UUID,
    "idempotencyKey" TEXT NOT NULL,
    "contentHash" TEXT NOT NULL,

    CONSTRAINT "Response_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Campaign" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "versionId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "channels" "NotificationChannel"[],
    "audienceDescription" TEXT NOT NULL,
    "plannedSize" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Campaign_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CampaignCounter" (
    "campaignId" UUID NOT NULL,
    "metric" TEXT NOT NULL,
    "channel" "NotificationChannel" NOT NULL,
    "country" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "CampaignCounter_pkey" PRIMARY KEY ("campaignId","metric","channel","country","day")
);

-- CreateTable
CREATE TABLE "EligibilityManifest" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "purposeId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "eligible" INTEGER NOT NULL,
    "setHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "apiKeyId" UUID,

    CONSTRAINT "EligibilityManifest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "actorKeyId" UUID,
    "actorRole" TEXT,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "details" JSONB NOT NULL,
    "previousHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Subject_controllerId_refHash_key" ON "Subject"("controllerId", "refHash");

-- CreateIndex
CREATE INDEX "Notification_subjectId_versionId_idx" ON "Notification"("subjectId", "versionId");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_controllerId_idempotencyKey_key" ON "Notification"("controllerId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "NotificationEvent_controllerId_notificationKey_type_occurre_key" ON "NotificationEvent"("controllerId", "notificationKey", "type", "occurredAt");

-- CreateIndex
CREATE INDEX "Response_subjectId_purposeId_occurredAt_idx" ON "Response"("subjectId", "purposeId", "occurredAt");

-- CreateIndex
CREATE INDEX "Response_versionId_kind_idx" ON "Response"("versionId", "kind");

-- CreateIndex
CREATE UNIQUE INDEX "Response_controllerId_idempotencyKey_key" ON "Response"("controllerId", "idempotencyKey");

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_controllerId_name_key" ON "Campaign"("controllerId", "name");

-- CreateIndex
CREATE INDEX "EligibilityManifest_controllerId_createdAt_idx" ON "EligibilityManifest"("controllerId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEntry_controllerId_action_sequence_idx" ON "AuditEntry"("controllerId", "action", "sequence");

-- CreateIndex
CREATE INDEX "AuditEntry_controllerId_targetId_idx" ON "AuditEntry"("controllerId", "targetId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEntry_controllerId_sequence_key" ON "AuditEntry"("controllerId", "sequence");

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_subjectId_fkey" FOREIGN KEY ("subjectId") REFERENCES "Subject"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "NoticeVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "NotificationBatch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Response" ADD CONSTRAINT "Response_subjectId_fkey" FOREIGN KEY ("subjectId") REFERENCES "Subject"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Response" ADD CONSTRAINT "Response_purposeId_fkey" FOREIGN KEY ("purposeId") REFERENCES "Purpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Response" ADD CONSTRAINT "Response_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "NoticeVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Campaign" ADD CONSTRAINT "Campaign_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "NoticeVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Records of notification are append-only: the database refuses UPDATE and DELETE.
CREATE FUNCTION notarium_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'notarium: % rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = '55000';
END;
$$;

CREATE TRIGGER "Notification_append_only" BEFORE UPDATE OR DELETE ON "Notification"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
CREATE TRIGGER "NotificationEvent_append_only" BEFORE UPDATE OR DELETE ON "NotificationEvent"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
CREATE TRIGGER "Response_append_only" BEFORE UPDATE OR DELETE ON "Response"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
CREATE TRIGGER "NotificationBatch_append_only" BEFORE UPDATE OR DELETE ON "NotificationBatch"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();

-- The audit trail is append-only for the application: no UPDATE, no DELETE.
CREATE TRIGGER "AuditEntry_append_only" BEFORE UPDATE OR DELETE ON "AuditEntry"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
