import { Prisma } from '../../generated/prisma/client.js';
import { countingPairs } from '../notification/reach.policy.js';
import { objectionBases } from './common.policy.js';
import type { PurposeContext } from './eligibility.facts.js';
import type { PurposeRules } from './purpose-rules.js';

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
 * part of `decideEligibility` in SQL. The purpose-level part (which versions count, their lead
 * times, the switch away from consent) is computed once in TypeScript by `purposeRules` and
 * passed in as arrays, so both paths share it; so are the reach evidence per channel, as pairs
 * of (channel, event type). Records recorded after `knownAt` are ignored, so that a manifest can
 * be recomputed later. Every value is a bound parameter; the SQL text is made of constant
 * fragments only.
 *
 * `summary` returns the count and the set hash: SHA-256 over the subject IDs (lower-case UUID
 * text) sorted ascending and joined by "\n" (no trailing newline), hex-encoded; `list` returns the
 * same set as rows. Null when nobody can be eligible (purpose archived or not yet defined; under
 * legitimate interests, no version in force describes the revision).
 */
export function eligibleSetQueries(
  controllerId: string,
  context: PurposeContext,
  rules: PurposeRules,
  knownAt: Date,
): { summary: Prisma.Sql; list: Prisma.Sql } | null {
  const { revision } = context;
  if (revision === null) return null;
  if (context.archivedAt !== null && context.archivedAt.getTime() <= context.at.getTime()) return null;
  const controller = Prisma.sql`${controllerId}::uuid`;
  const at = Prisma.sql`${context.at.toISOString()}::timestamptz`;
  const known = Prisma.sql`${knownAt.toISOString()}::timestamptz`;

  /** Per subject, the latest response of a pair by `until`; among equal times the winner, then the greater ID. */
  const latestResponse = ({ kinds, winner }: (typeof answers)[keyof typeof answers], until: Prisma.Sql) =>
    Prisma.sql`
    SELECT DISTINCT ON (r."subjectId") r."subjectId", r."kind", r."occurredAt", r."versionId"
    FROM "Response" r
    WHERE r."controllerId" = ${controller} AND r."purposeId" = ${context.purposeId}::uuid
      AND r."kind" IN ${kinds}
      AND r."occurredAt" <= ${until} AND r."recordedAt" <= ${known}
    ORDER BY r."subjectId", r."occurredAt" DESC, (r."kind" = ${winner}) DESC, r."id" DESC`;
  const standingObjection = () => Prisma.sql`
    SELECT o."subjectId" FROM (${latestResponse(answers.objection, at)}) o
    WHERE o."kind" = 'OBJECTED'`;

  let eligible: Prisma.Sql;
  if (revision.legalBasis === 'CONSENT') {
    const validity = Prisma.sql`${revision.consentValidityDays}::int`;
    eligible = Prisma.sql`
      SELECT c."subjectId" AS id
      FROM (${latestResponse(answers.consent, at)}) c
      WHERE c."kind" = 'CONSENT_GIVEN'
        AND c."versionId" = ANY(${[...rules.consentCurrent]}::uuid[])
        AND (${validity} IS NULL OR c."occurredAt" + ${validity} * interval '24 hours' > ${at})`;
  } else if (revision.legalBasis === 'LEGITIMATE_INTERESTS') {
    if (rules.describingRevision.length === 0) return null;
    const versionIds = [...rules.notifiable.keys()];
    const days = [...rules.notifiable.values()].map((inForce) => rules.leadTimes.get(inForce.id)!.days);
    const reach = countingPairs(context.settings.reachEvidence).map(
      ([channel, type]) => `${channel}:${type}`,
    );
    const reachTypes = [...new Set(Object.values(context.settings.reachEvidence).flat())];
    // Per subject, the earliest instant a counting notification let processing start: its first
    // event that shows reach on its channel, plus the lead time of the version it counts for.
    // Notifications and their events meet by key in one window (no join), so that the plan
    // does not depend on row estimates: without statistics a join here turns into a nested loop
    // of one index probe (or one rescan) per row.
    eligible = Prisma.sql`
      SELECT r."subject" AS id
      FROM (
        SELECT x."type", x."at",
          max(x."channel") OVER w AS "channel",
          max(x."days") OVER w AS "days",
          (max(x."subject") OVER w)::uuid AS "subject"
        FROM (
          SELECT n."idempotencyKey" AS "key", n."subjectId"::text AS "subject", n."channel"::text AS "channel",
            (${days}::int[])[array_position(${versionIds}::uuid[], n."versionId")] AS "days",
            NULL::text AS "type", NULL::timestamptz AS "at"
          FROM "Notification" n
          WHERE n."controllerId" = ${controller} AND n."versionId" = ANY(${versionIds}::uuid[])
            AND n."occurredAt" <= ${at} AND n."recordedAt" <= ${known}
          UNION ALL
          SELECT e."notificationKey", NULL, NULL, NULL, e."type"::text, e."occurredAt"
          FROM "NotificationEvent" e
          WHERE e."controllerId" = ${controller} AND e."type"::text = ANY(${reachTypes}::text[])
            AND e."occurredAt" <= ${at} AND e."recordedAt" <= ${known}
        ) x
        WINDOW w AS (PARTITION BY x."key" COLLATE "C")
      ) r
      WHERE r."type" IS NOT NULL AND r."days" IS NOT NULL AND r."channel" || ':' || r."type" = ANY(${reach}::text[])
      GROUP BY r."subject"
      HAVING min(r."at" + r."days" * interval '24 hours') <= ${at}
      EXCEPT ${standingObjection()}`;
  } else {
    // Contract, legal obligation, vital interests, public task: lawful whether or not anyone was told.
    eligible = Prisma.sql`
      SELECT s."id" AS id FROM "Subject" s
      WHERE s."controllerId" = ${controller} AND s."createdAt" <= ${known}`;
    if (objectionBases.includes(revision.legalBasis))
      eligible = Prisma.sql`${eligible} EXCEPT ${standingObjection()}`;
  }
  // A consent withdrawn before the purpose switched away from consent stands as an objection.
  const switched = rules.consentSwitch;
  if (switched !== null) {
    eligible = Prisma.sql`${eligible}
      EXCEPT SELECT w."subjectId" FROM (${latestResponse(
        answers.consent,
        Prisma.sql`${switched.createdAt.toISOString()}::timestamptz`,
      )}) w
      WHERE w."kind" = 'CONSENT_WITHDRAWN'`;
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
