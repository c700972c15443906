-- AlterTable
ALTER TABLE "Controller" ADD COLUMN     "clockSkewToleranceSeconds" INTEGER NOT NULL DEFAULT 300;
