import { Prisma } from '../../generated/prisma/client.js';
import { objectionBases, type PurposeContext, type VersionRules } from './eligibility.policy.js';

/** SHA-256 (hex) of the empty string: the hash of an empty eligible set. */
export const emptySetHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The two answers that decide a purpose state, as constant SQL: the pair of response kinds, and
 * the kind that wins when both were given at the same instant (withdrawal over consent,
 * objection over its withdrawal).
 */
const answers = {
  consent: {
    kinds: Prisma.sql`('CONSENT_GIVEN', 'CONSENT_WITHDRAWN')`,
    winner: Prisma.sql`'CONSENT_WITHDRAWN'`,
  },
  objection: {
    kinds: Prisma.sql`('OBJECTED', 'OBJECTION_WITHDRAWN')`,
    winner: Prisma.sql`'OBJECTED'`,
  },
} as const;

/**
 * The eligible subjects, as one statement over all subjects of the controller: the subject-level
 * part of `decideEligibility` in SQL. The version-level part (which versions count) is computed
 * once in TypeScript by `versionRules` and passed in as arrays, so both paths share it. Records
 * recorded after `knownAt` are ignored, so that a manifest can be recomputed later. Every value is
 * a bound parameter; the SQL text is made of constant fragments only.
 *
 * `summary` returns the count and the set hash: SHA-256 over the subject IDs (lower-case UUID
 * text) sorted ascending and joined by "\n" (no trailing newline), hex-encoded; `list` returns the
 * same set as rows. Null when nobody can be eligible (purpose archived or not yet defined).
 */
export function eligibleSetQueries(
  controllerId: string,
  context: PurposeContext,
  rules: VersionRules,
  knownAt: Date,
): { summary: Prisma.Sql; list: Prisma.Sql } | null {
  const { revision } = context;
  if (revision === null) return null;
  if (context.archivedAt !== null && context.archivedAt.getTime() <= context.at.getTime()) return null;
  const controller = Prisma.sql`${controllerId}::uuid`;
  const at = Prisma.sql`${context.at.toISOString()}::timestamptz`;
  const known = Prisma.sql`${knownAt.toISOString()}::timestamptz`;

  /** Per subject, the latest response of a pair by time; among equal times the winner, then the greater ID. */
  const latestResponse = ({ kinds, winner }: (typeof answers)[keyof typeof answers]) => Prisma.sql`
    SELECT DISTINCT ON (r."subjectId") r."subjectId", r."kind", r."occurredAt", r."versionId"
    FROM "Response" r
    WHERE r."controllerId" = ${controller} AND r."purposeId" = ${context.purposeId}::uuid
      AND r."kind" IN ${kinds}
      AND r."occurredAt" <= ${at} AND r."recordedAt" <= ${known}
    ORDER BY r."subjectId", r."occurredAt" DESC, (r."kind" = ${winner}) DESC, r."id" DESC`;
  const standingObjection = () => Prisma.sql`
    SELECT o."subjectId" FROM (${latestResponse(answers.objection)}) o
    WHERE o."kind" = 'OBJECTED'`;
  const notifiedOf = (versionIds: Iterable<string>) => Prisma.sql`
    SELECT n."subjectId", n."channel", n."occurredAt", n."idempotencyKey"
    FROM "Notification" n
    WHERE n."controllerId" = ${controller} AND n."versionId" = ANY(${[...versionIds]}::uuid[])
      AND n."occurredAt" <= ${at} AND n."recordedAt" <= ${known}`;

  let eligible: Prisma.Sql;
  if (revision.legalBasis === 'CONSENT') {
    const validity = Prisma.sql`${revision.consentValidityDays}::int`;
    eligible = Prisma.sql`
      SELECT c."subjectId" AS id
      FROM (${latestResponse(answers.consent)}) c
      WHERE c."kind" = 'CONSENT_GIVEN'
        AND ((c."versionId" IS NULL AND c."occurredAt" >= ${revision.createdAt.toISOString()}::timestamptz)
          OR c."versionId" = ANY(${[...rules.consentCurrent]}::uuid[]))
        AND (${validity} IS NULL OR c."occurredAt" + ${validity} * interval '24 hours' > ${at})`;
  } else if (revision.legalBasis === 'LEGITIMATE_INTERESTS') {
    eligible = Prisma.sql`
      SELECT n."subjectId" AS id
      FROM (${notifiedOf(rules.notifiable.keys())}) n
      LEFT JOIN (
        SELECT e."notificationKey", min(e."occurredAt") AS "reachedAt"
        FROM "NotificationEvent" e
        WHERE e."controllerId" = ${controller} AND e."type" IN ('DELIVERED', 'OPENED', 'ACKNOWLEDGED')
          AND e."occurredAt" <= ${at} AND e."recordedAt" <= ${known}
        GROUP BY e."notificationKey"
      ) e ON e."notificationKey" = n."idempotencyKey"
      GROUP BY n."subjectId"
      HAVING min(CASE WHEN n."channel" IN ('IN_APP', 'WEB_BANNER') THEN n."occurredAt" ELSE e."reachedAt" END)
        <= ${at} - ${context.minimumNoticeDays}::int * interval '24 hours'
      EXCEPT ${standingObjection()}`;
  } else {
    eligible = Prisma.sql`SELECT DISTINCT n."subjectId" AS id FROM (${notifiedOf(rules.covering)}) n`;
    if (objectionBases.includes(revision.legalBasis))
      eligible = Prisma.sql`${eligible} EXCEPT ${standingObjection()}`;
  }
  // Erased subjects (Art. 17) are never eligible from their erasure on.
  eligible = Prisma.sql`${eligible}
    EXCEPT SELECT s."id" FROM "Subject" s
    WHERE s."controllerId" = ${controller} AND s."erasedAt" <= ${at} AND s."erasedAt" <= ${known}`;
  return {
    summary: Prisma.sql`WITH eligible AS (${eligible})
      SELECT count(*)::int AS "eligible",
        encode(sha256(convert_to(coalesce(string_agg(id::text, E'\\n' ORDER BY id), ''), 'UTF8')), 'hex') AS "setHash"
      FROM eligible`,
    list: Prisma.sql`WITH eligible AS (${eligible}) SELECT id::text AS id FROM eligible ORDER BY id`,
  };
}
