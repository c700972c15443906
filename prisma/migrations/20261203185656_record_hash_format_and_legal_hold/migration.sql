-- AlterTable: records written so far use record-hash format 1; new ones format 2.
ALTER TABLE "Notification" ADD COLUMN     "hashFormat" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "Notification" ALTER COLUMN "hashFormat" SET DEFAULT 2;

-- AlterTable
ALTER TABLE "RegulatorRequest" ADD COLUMN     "closedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Response" ADD COLUMN     "hashFormat" SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE "Response" ALTER COLUMN "hashFormat" SET DEFAULT 2;
