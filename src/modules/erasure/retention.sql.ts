import { Prisma } from '../../generated/prisma/client.js';

/**
 * The rules of retention.policy.ts over the subject row `s`, for every subject at once. Written
 * as "nothing at or after the cutoff" rather than as a maximum, so that a subject with a recent
 * record is decided by the first one found.
 */

/** The subject's last processing (retention.policy.ts lastProcessing) is before `cutoff`. */
export function lastProcessedBefore(cutoff: Date): Prisma.Sql {
  const at = Prisma.sql`${cutoff}::timestamptz`;
  return Prisma.sql`NOT EXISTS (
      SELECT 1 FROM "Notification" n WHERE n."subjectId" = s."id" AND n."occurredAt" >= ${at})
    AND NOT EXISTS (
      SELECT 1 FROM "Notification" n
      JOIN "NotificationEvent" e ON e."controllerId" = n."controllerId" AND e."notificationKey" = n."idempotencyKey"
      WHERE n."subjectId" = s."id" AND e."occurredAt" >= ${at})
    AND NOT EXISTS (
      SELECT 1 FROM "Response" r WHERE r."subjectId" = s."id" AND r."occurredAt" >= ${at})
    AND NOT EXISTS (
      SELECT 1 FROM "ObjectionCase" c WHERE c."subjectId" = s."id" AND c."decidedAt" >= ${at})
    AND (s."createdAt" < ${at}
      OR EXISTS (SELECT 1 FROM "Notification" n WHERE n."subjectId" = s."id")
      OR EXISTS (SELECT 1 FROM "Response" r WHERE r."subjectId" = s."id"))`;
}

/** One of the subject's objection cases is still open (Art. 21(1)). */
export const objectionPending = Prisma.sql`EXISTS (
  SELECT 1 FROM "ObjectionCase" c WHERE c."subjectId" = s."id" AND c."outcome" = 'OPEN')`;
