-- A notification's leaf has no version: the unique index on (controller, version) held one entry
-- per notification leaf, all NULL, written by every sequencer run. Only version leaves are indexed
-- now (a partial unique index, which Prisma's schema cannot state and the schema engine leaves
-- alone; ON CONFLICT names its predicate, src/modules/transparency-log/log-store.ts).
DROP INDEX "TransparencyLogLeaf_controllerId_versionId_key";
CREATE UNIQUE INDEX "TransparencyLogLeaf_version_key" ON "TransparencyLogLeaf"("controllerId", "versionId")
  WHERE "versionId" IS NOT NULL;
