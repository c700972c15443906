-- CreateEnum
CREATE TYPE "TransparencyLogEntryType" AS ENUM ('NOTICE_VERSION', 'NOTIFICATION');

-- AlterTable
ALTER TABLE "NotificationBatch" ADD COLUMN     "logSequence" BIGSERIAL NOT NULL;

-- CreateTable
CREATE TABLE "TransparencyLogLeaf" (
    "controllerId" UUID NOT NULL,
    "index" BIGINT NOT NULL,
    "type" "TransparencyLogEntryType" NOT NULL,
    "entryHash" BYTEA NOT NULL,
    "versionId" UUID,
    "notificationId" UUID,

    CONSTRAINT "TransparencyLogLeaf_pkey" PRIMARY KEY ("controllerId","index")
);

-- CreateTable
CREATE TABLE "TransparencyLogNode" (
    "controllerId" UUID NOT NULL,
    "level" SMALLINT NOT NULL,
    "index" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "TransparencyLogNode_pkey" PRIMARY KEY ("controllerId","level","index")
);

-- CreateTable
CREATE TABLE "TransparencyLogState" (
    "controllerId" UUID NOT NULL,
    "treeSize" BIGINT NOT NULL DEFAULT 0,
    "sequencedThrough" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "TransparencyLogState_pkey" PRIMARY KEY ("controllerId")
);

-- CreateTable
CREATE TABLE "TransparencyLogHead" (
    "controllerId" UUID NOT NULL,
    "treeSize" BIGINT NOT NULL,
    "rootHash" BYTEA NOT NULL,
    "checkpoint" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "signedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TransparencyLogHead_pkey" PRIMARY KEY ("controllerId","treeSize")
);

-- CreateIndex
CREATE UNIQUE INDEX "TransparencyLogLeaf_controllerId_versionId_key" ON "TransparencyLogLeaf"("controllerId", "versionId");

-- CreateIndex
CREATE UNIQUE INDEX "TransparencyLogLeaf_controllerId_notificationId_key" ON "TransparencyLogLeaf"("controllerId", "notificationId");

-- CreateIndex
CREATE INDEX "Notification_batchId_idx" ON "Notification"("batchId");

-- CreateIndex
CREATE INDEX "NotificationBatch_controllerId_logSequence_idx" ON "NotificationBatch"("controllerId", "logSequence");

-- The log is append-only: leaves, subtree hashes and signed heads never change or go away
-- (docs/transparency-log.md). Only the state row (size, sequencer cursor) moves forward.
CREATE TRIGGER "TransparencyLogLeaf_append_only" BEFORE UPDATE OR DELETE ON "TransparencyLogLeaf"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
CREATE TRIGGER "TransparencyLogNode_append_only" BEFORE UPDATE OR DELETE ON "TransparencyLogNode"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
CREATE TRIGGER "TransparencyLogHead_append_only" BEFORE UPDATE OR DELETE ON "TransparencyLogHead"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
