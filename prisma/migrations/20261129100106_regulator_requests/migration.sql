-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN     "regulatorRequestId" UUID;

-- CreateTable
CREATE TABLE "RegulatorRequest" (
    "id" UUID NOT NULL,
    "controllerId" UUID NOT NULL,
    "authority" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "subjectRefHashes" TEXT[],
    "noticeKeys" TEXT[],
    "periodFrom" TIMESTAMPTZ(3),
    "periodTo" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdByKeyId" UUID,

    CONSTRAINT "RegulatorRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RegulatorRequest_controllerId_createdAt_idx" ON "RegulatorRequest"("controllerId", "createdAt");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_regulatorRequestId_fkey" FOREIGN KEY ("regulatorRequestId") REFERENCES "RegulatorRequest"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
