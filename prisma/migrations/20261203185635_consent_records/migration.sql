-- Consent-record fields (ADR 0033). Rows recorded before them keep NULL: who answered, how, whether
-- explicitly and in which locale were not recorded then, and a default would state what nobody saw.

-- CreateEnum
CREATE TYPE "ResponseActor" AS ENUM ('SUBJECT', 'GUARDIAN', 'AGENT');

-- CreateEnum
CREATE TYPE "CollectionMethod" AS ENUM ('FORM', 'BANNER', 'EMAIL_LINK', 'API', 'PAPER');

-- AlterEnum
ALTER TYPE "ResponseKind" ADD VALUE 'CONSENT_REFUSED';

-- AlterTable
ALTER TABLE "Response" ADD COLUMN     "actor" "ResponseActor",
ADD COLUMN     "collectionMethod" "CollectionMethod",
ADD COLUMN     "explicit" BOOLEAN,
ADD COLUMN     "locale" TEXT;
