-- A notification's leaf was found through a unique index on (controller, notification), written
-- by every sequencer run: a quarter of the time of each leaf insert, and about 40 bytes per leaf
-- (ADR 0046). A batch's notifications are appended together, so their leaves are one run of
-- indexes: this table keeps each batch's run, and a notification's leaf is found inside its
-- batch's run by the primary key.

-- CreateTable
CREATE TABLE "TransparencyLogBatch" (
    "batchId" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "firstIndex" BIGINT NOT NULL,
    "leafCount" INTEGER NOT NULL,

    CONSTRAINT "TransparencyLogBatch_pkey" PRIMARY KEY ("batchId")
);

-- The runs of the leaves appended so far (first to last leaf of a batch's notifications still
-- stored: a retention purge may have removed some, and a run may not be shortened by that).
INSERT INTO "TransparencyLogBatch" ("batchId", "controllerId", "firstIndex", "leafCount")
SELECT n."batchId", f."controllerId", min(f."index"), (max(f."index") - min(f."index") + 1)::int
FROM "TransparencyLogLeaf" f
JOIN "Notification" n ON n."id" = f."notificationId"
WHERE f."notificationId" IS NOT NULL
GROUP BY n."batchId", f."controllerId";

-- DropIndex
DROP INDEX "TransparencyLogLeaf_controllerId_notificationId_key";

-- Like the leaves, a batch's run never changes or goes away.
CREATE TRIGGER "TransparencyLogBatch_append_only" BEFORE UPDATE OR DELETE ON "TransparencyLogBatch"
  FOR EACH ROW EXECUTE FUNCTION notarium_append_only();
