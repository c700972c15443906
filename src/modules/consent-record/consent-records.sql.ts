import type { Database } from '../../db/database.js';
import { allOf, isoUtc } from '../../db/raw-sql.js';
import { Prisma } from '../../generated/prisma/client.js';

/** One response as a consent record: what it says, with the purpose revision and notice it names. */
export interface ConsentRecordRow {
  readonly id: string;
  readonly subjectRefHash: string;
  readonly subjectErased: boolean;
  readonly kind: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly channel: string;
  readonly actor: string | null;
  readonly collectionMethod: string | null;
  readonly explicit: boolean | null;
  readonly locale: string | null;
  readonly idempotencyKey: string;
  readonly contentHash: string;
  readonly purposeKey: string;
  readonly purposeRevision: number | null;
  readonly purposeName: string | null;
  readonly legalBasis: string | null;
  readonly noticeKey: string | null;
  readonly versionNumber: number | null;
  readonly noticeContentHash: string | null;
}

export interface ConsentRecordFilter {
  readonly ids?: readonly string[];
  readonly subjectRefHash?: string;
  readonly purposeKey?: string;
  readonly from?: Date;
  readonly to?: Date;
}

/**
 * The controller's responses matching the filter, oldest first, in one statement. The purpose
 * revision is the one the notice version pinned at publication, else the one in force when the
 * answer was given.
 */
export async function loadConsentRecords(
  database: Database,
  controllerId: string,
  filter: ConsentRecordFilter,
  limit: number,
): Promise<ConsentRecordRow[]> {
  const conditions = [Prisma.sql`r."controllerId" = ${controllerId}::uuid`];
  if (filter.ids) conditions.push(Prisma.sql`r."id"::text = ANY(${[...filter.ids]}::text[])`);
  if (filter.subjectRefHash !== undefined)
    conditions.push(Prisma.sql`s."refHash" = ${filter.subjectRefHash}`);
  if (filter.purposeKey !== undefined) conditions.push(Prisma.sql`p."key" = ${filter.purposeKey}`);
  if (filter.from) conditions.push(Prisma.sql`r."occurredAt" >= ${filter.from}`);
  if (filter.to) conditions.push(Prisma.sql`r."occurredAt" <= ${filter.to}`);
  return database.prisma.$queryRaw<ConsentRecordRow[]>`
    SELECT r."id"::text AS id, s."refHash" AS "subjectRefHash", s."erasedAt" IS NOT NULL AS "subjectErased",
      r."kind"::text AS kind, ${isoUtc(Prisma.sql`r."occurredAt"`)} AS "occurredAt",
      ${isoUtc(Prisma.sql`r."recordedAt"`)} AS "recordedAt", r."channel"::text AS channel,
      r."actor"::text AS actor, r."collectionMethod"::text AS "collectionMethod", r."explicit", r."locale",
      r."idempotencyKey", r."contentHash", p."key" AS "purposeKey",
      rev."number" AS "purposeRevision", rev."name" AS "purposeName", rev."legalBasis"::text AS "legalBasis",
      n."key" AS "noticeKey", v."number" AS "versionNumber", v."contentHash" AS "noticeContentHash"
    FROM "Response" r
    JOIN "Subject" s ON s."id" = r."subjectId"
    JOIN "Purpose" p ON p."id" = r."purposeId"
    LEFT JOIN "NoticeVersion" v ON v."id" = r."versionId"
    LEFT JOIN "Notice" n ON n."id" = v."noticeId"
    LEFT JOIN "NoticeVersionPurpose" vp ON vp."versionId" = r."versionId" AND vp."purposeId" = r."purposeId"
    LEFT JOIN LATERAL (
      SELECT pr."number", pr."name", pr."legalBasis" FROM "PurposeRevision" pr
      WHERE pr."purposeId" = r."purposeId"
        AND (pr."id" = vp."revisionId" OR (vp."revisionId" IS NULL AND pr."createdAt" <= r."occurredAt"))
      ORDER BY pr."createdAt" DESC LIMIT 1
    ) rev ON TRUE
    WHERE ${allOf(conditions)}
    ORDER BY r."occurredAt", r."id"
    LIMIT ${limit}`;
}
