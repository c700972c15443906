import { Prisma } from '../../generated/prisma/client.js';
import type { EventType } from '../notification/notification.policy.js';
import { countingPairs } from '../notification/reach.policy.js';
import { objectionBases } from './common.policy.js';
import type { PurposeContext } from './eligibility.facts.js';
import type { PurposeRules } from './purpose-rules.js';

/** SHA-256 (hex) of the empty string: the hash of an empty eligible set. */
export const emptySetHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The answers that decide a purpose state, as constant SQL: the response kinds, and their rank
 * when several were given at the same instant (withdrawal over refusal over consent, objection
 * over its withdrawal).
 */
const answers = {
  consent: {
    kinds: Prisma.sql`('CONSENT_GIVEN', 'CONSENT_REFUSED', 'CONSENT_WITHDRAWN')`,
    rank: Prisma.sql`CASE r."kind" WHEN 'CONSENT_WITHDRAWN' THEN 2 WHEN 'CONSENT_REFUSED' THEN 1 ELSE 0 END`,
  },
  objection: {
    kinds: Prisma.sql`('OBJECTED', 'OBJECTION_WITHDRAWN')`,
    rank: Prisma.sql`(r."kind" = 'OBJECTED')`,
  },
} as const;

/**
 * How a range statement finds the first reach of each of its notifications (ADR 0048):
 * - `probe`: one probe of the index of reach-capable events per notification (a nested loop).
 *   The work follows the range's notifications only, so that many small ranges add up to one
 *   pass: for embedded PGlite, which must let other requests run between short ranges.
 * - `join`: one hash join of the range's notifications with the controller's reach-capable
 *   events. Every such event is read once per range, so this suits few, large ranges (PostgreSQL);
 *   without a probe per notification a range costs about half as much.
 */
export type ReachRead = 'probe' | 'join';

/**
 * Run before each range statement, in its transaction: rows are read by bitmap scans, which visit
 * the heap pages of a range in physical order, each page once, instead of index scans, which
 * visit them in key order, again and again. Notifications are then read in the order they were
 * recorded, so the probes of their events follow the events' own order of recording, and a
 * large range reads each page of the tables about once (ADR 0027). A join range also rules out
 * nested loops, merge joins and sorts where a hash can serve, so that every join is a hash join
 * and the grouping a hash aggregate, each linear in its inputs, and gives them the memory of a
 * range's notifications (ADR 0048). Planner settings, not estimates: the plan stays the same with
 * or without statistics.
 */
export function rangePlanSettings(reach: ReachRead): Prisma.Sql {
  return reach === 'probe'
    ? Prisma.sql`SET LOCAL enable_indexscan = off`
    : Prisma.sql`SELECT set_config('enable_indexscan', 'off', true), set_config('enable_nestloop', 'off', true),
        set_config('enable_mergejoin', 'off', true), set_config('enable_sort', 'off', true), set_config('work_mem', '64MB', true)`;
}

/**
 * The event types that can show reach (every type but SENT, BOUNCED and FAILED, which a reach
 * setting cannot name): the predicate of the partial index `NotificationEvent_reach_idx`. Stated
 * as constant SQL, so that the planner proves the index applies whatever the parameters.
 */
const reachCapable: readonly EventType[] = ['DELIVERED', 'OPENED', 'ACKNOWLEDGED', 'DISPLAYED', 'DISMISSED'];
const reachCapableSql = Prisma.sql`('DELIVERED', 'OPENED', 'ACKNOWLEDGED', 'DISPLAYED', 'DISMISSED')`;

/** Subject IDs from `from` (inclusive) to `to` (exclusive; null: to the greatest UUID). */
export interface SubjectRange {
  readonly from: string;
  readonly to: string | null;
}

/** All subjects: no condition on the ID. */
export const allSubjects = null;

const greatestUuid = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * `count` ranges of the UUID space, of equal width in the first 32 bits, ascending and adjoining;
 * `allSubjects` for one. Random (v4) subject IDs spread evenly over them; other IDs only make
 * some ranges larger, never change the set. Every range is bounded on both sides, so that the
 * planner estimates it as small and reads it by index even without statistics.
 */
export function subjectRanges(count: number): (SubjectRange | typeof allSubjects)[] {
  if (count <= 1) return [allSubjects];
  const bounds = Array.from({ length: count + 1 }, (_, index) =>
    index === count
      ? null
      : `${Math.floor((index * 2 ** 32) / count)
          .toString(16)
          .padStart(8, '0')}-0000-0000-0000-000000000000`,
  );
  return bounds.slice(0, count).map((from, index) => ({ from: from!, to: bounds[index + 1]! }));
}

function inRange(column: Prisma.Sql, range: SubjectRange | typeof allSubjects): Prisma.Sql {
  if (range === allSubjects) return Prisma.sql`TRUE`;
  return range.to === null
    ? Prisma.sql`${column} >= ${range.from}::uuid AND ${column} <= ${greatestUuid}::uuid`
    : Prisma.sql`${column} >= ${range.from}::uuid AND ${column} < ${range.to}::uuid`;
}

/**
 * The eligible subjects of one range of subject IDs, as one statement: the subject-level part of
 * `decideEligibility` in SQL. The purpose-level part (which versions count, their lead times,
 * the switch away from consent) is computed once in TypeScript by `purposeRules` and passed in as
 * arrays, so both paths share it; so are the reach evidence per channel, as pairs of (channel,
 * event type). Records recorded after `knownAt` are ignored, so that a manifest can be recomputed
 * later, and so that the ranges of one manifest, run one after another, see the same records.
 * Every value is a bound parameter; the SQL text is made of constant fragments only.
 *
 * The plan must not depend on statistics (a bulk load is not analysed yet; see ADR 0022): every
 * table is read by the range of subject IDs (an index range, or one scan when there is a single
 * range), and the events either by one index probe per notification or by one hash join per range
 * (`ReachRead`) — never a join whose inner side re-reads or re-aggregates the events per
 * notification.
 *
 * The statement returns `eligible` (the count) and `ids`: the subject IDs (lower-case UUID text)
 * sorted ascending and joined by "\n", empty for none. Null when nobody can be eligible (purpose
 * archived or not yet defined; under legitimate interests, no version in force describes the
 * revision).
 */
export function eligibleInRange(
  controllerId: string,
  context: PurposeContext,
  rules: PurposeRules,
  knownAt: Date,
): ((range: SubjectRange | typeof allSubjects, read: ReachRead) => Prisma.Sql) | null {
  const { revision } = context;
  if (revision === null) return null;
  if (context.archivedAt !== null && context.archivedAt.getTime() <= context.at.getTime()) return null;
  if (revision.legalBasis === 'LEGITIMATE_INTERESTS' && rules.describingRevision.length === 0) return null;
  const controller = Prisma.sql`${controllerId}::uuid`;
  const at = Prisma.sql`${context.at.toISOString()}::timestamptz`;
  const known = Prisma.sql`${knownAt.toISOString()}::timestamptz`;

  return (range, read) => {
    // Within a range, the tenant is a filter on the rows the range finds, compared as text so
    // that no index on (controllerId, …) can serve it: a bitmap of all the controller's rows,
    // ANDed with the range, would read the whole controller once per range. One open range is
    // the whole controller: its index then serves.
    const ofController = (column: Prisma.Sql) =>
      range === allSubjects
        ? Prisma.sql`${column} = ${controller}`
        : Prisma.sql`${column}::text = ${controllerId}`;
    /** Per subject, the latest response of a kind set by `until`; among equal times the higher rank, then the greater ID. */
    const latestResponse = (
      { kinds, rank }: (typeof answers)[keyof typeof answers],
      until: Prisma.Sql,
      excluding: Prisma.Sql = Prisma.empty,
    ) =>
      Prisma.sql`
      SELECT DISTINCT ON (r."subjectId") r."subjectId", r."kind", r."occurredAt", r."versionId"
      FROM "Response" r
      WHERE ${ofController(Prisma.sql`r."controllerId"`)} AND ${inRange(Prisma.sql`r."subjectId"`, range)}
        AND r."purposeId" = ${context.purposeId}::uuid AND r."kind" IN ${kinds}
        AND r."occurredAt" <= ${until} AND r."recordedAt" <= ${known} ${excluding}
      ORDER BY r."subjectId", r."occurredAt" DESC, ${rank} DESC, r."id" DESC`;
    // An objection refused on compelling legitimate grounds by `at` does not stand (Art. 21(1));
    // one probe of the case's unique index on its response.
    const refused = Prisma.sql`AND NOT EXISTS (
        SELECT 1 FROM "ObjectionCase" oc
        WHERE oc."responseId" = r."id" AND oc."outcome" = 'REFUSED'
          AND oc."decidedAt" <= ${at} AND oc."decidedAt" <= ${known})`;
    const standingObjection = () => Prisma.sql`
      SELECT o."subjectId" FROM (${latestResponse(answers.objection, at, refused)}) o
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
      const versionIds = [...rules.notifiable.keys()];
      const days = [...rules.notifiable.values()].map((inForce) => rules.leadTimes.get(inForce.id)!.days);
      const pairs = countingPairs(context.settings.reachEvidence);
      const reach = pairs.map(([channel, type]) => `${channel}:${type}`);
      const reachTypes = [...new Set(pairs.map(([, type]) => type))];
      // Only reach-capable types can count (a setting cannot name others); should a stored
      // setting name one anyway, the probe reads the unique index instead, with the same result.
      const probeIndex = reachTypes.every((type) => reachCapable.includes(type))
        ? Prisma.sql`AND e."type" IN ${reachCapableSql}`
        : Prisma.empty;
      // Per subject, the earliest instant a counting notification let processing start: its first
      // event that shows reach on its channel, plus the lead time of the version it counts for.
      // The counting types are compared as text: as an index condition a list of types would make
      // one descent of the index per type.
      const counting = Prisma.sql`${probeIndex} AND e."type"::text = ANY(${reachTypes}::text[])
            AND n."channel"::text || ':' || e."type"::text = ANY(${reach}::text[])
            AND e."occurredAt" <= ${at} AND e."recordedAt" <= ${known}`;
      const ofRange = Prisma.sql`${ofController(Prisma.sql`n."controllerId"`)} AND ${inRange(Prisma.sql`n."subjectId"`, range)}
          AND n."versionId" = ANY(${versionIds}::uuid[])
          AND n."occurredAt" <= ${at} AND n."recordedAt" <= ${known}`;
      const startsBy = (reachedAt: Prisma.Sql) => Prisma.sql`
        GROUP BY n."subjectId"
        HAVING min(${reachedAt}
          + (${days}::int[])[array_position(${versionIds}::uuid[], n."versionId")] * interval '24 hours') <= ${at}`;
      // A probe: the first reach by one probe of the index of reach-capable events by the
      // notification's key (a correlated subquery cannot become a join), one per notification
      // whatever the planner believes about row counts. A join: the minimum over the joined
      // events is the same instant.
      eligible =
        read === 'probe'
          ? Prisma.sql`
        SELECT n."subjectId" AS id
        FROM "Notification" n
        CROSS JOIN LATERAL (
          SELECT min(e."occurredAt") AS "at"
          FROM "NotificationEvent" e
          WHERE e."controllerId" = ${controller} AND e."notificationKey" = n."idempotencyKey" ${counting}
        ) reached
        WHERE ${ofRange} ${startsBy(Prisma.sql`reached."at"`)}
        EXCEPT ${standingObjection()}`
          : Prisma.sql`
        SELECT n."subjectId" AS id
        FROM "Notification" n
        JOIN "NotificationEvent" e
          ON e."controllerId" = ${controller} AND e."notificationKey" = n."idempotencyKey" ${counting}
        WHERE ${ofRange} ${startsBy(Prisma.sql`e."occurredAt"`)}
        EXCEPT ${standingObjection()}`;
    } else {
      // Contract, legal obligation, vital interests, public task: lawful whether or not anyone was told.
      eligible = Prisma.sql`
        SELECT s."id" AS id FROM "Subject" s
        WHERE ${ofController(Prisma.sql`s."controllerId"`)} AND ${inRange(Prisma.sql`s."id"`, range)}
          AND s."createdAt" <= ${known}`;
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
      WHERE ${ofController(Prisma.sql`s."controllerId"`)} AND ${inRange(Prisma.sql`s."id"`, range)}
        AND s."erasedAt" <= ${at} AND s."erasedAt" <= ${known}`;
    return Prisma.sql`WITH eligible AS (${eligible})
      SELECT count(*)::int AS "eligible", coalesce(string_agg(id::text, E'\\n' ORDER BY id), '') AS "ids"
      FROM eligible`;
  };
}
