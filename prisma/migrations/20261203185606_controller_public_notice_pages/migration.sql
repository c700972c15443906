-- AlterTable
ALTER TABLE "Controller" ADD COLUMN     "publicNoticePages" BOOLEAN NOT NULL DEFAULT false;
