import { eventFromJson, notificationFromJson, responseFromJson } from '../../db/json-records.js';
import {
  type Notification,
  type NotificationEvent,
  Prisma,
  type Response,
} from '../../generated/prisma/client.js';
import type { ChangeClass } from '../notice/change-class.js';
import type { FixedVersionColumns } from '../notice/published-version-rows.js';
import { versionFactsColumns } from '../notice/version-from-facts.js';
import type { ObjectionDecisionFact, PurposeContext, VersionRow } from './eligibility.facts.js';
import type { PurposeRules } from './purpose-rules.js';

/** One subject's records about the purpose, as `to_jsonb` rows (src/db/json-records.ts). */
export interface SubjectRecordsRow {
  readonly id: string;
  readonly erasedAt: string | null;
  readonly responses: unknown[];
  /** Its notifications of every published version of the notices covering the purpose, each with `events`. */
  readonly notifications: (Record<string, unknown> & { events: unknown[] })[];
  /** The subject's full row (`to_jsonb`), when it was found by its reference hash. */
  readonly row?: Record<string, unknown>;
}

/** The one row of `subjectFactsQuery`. */
export interface SubjectFactsRow {
  /** Null when the controller has no purpose of that key. */
  readonly purpose: { id: string; key: string; archivedAt: string | null } | null;
  readonly minimumNoticeDays: number;
  readonly reachEvidence: unknown;
  /** The revisions created by `at`, by number, as full rows. */
  readonly revisions: unknown[];
  /**
   * Every published version of every notice with a published version covering the purpose: with
   * the columns the decision reads, or, for a version among `knownVersions`, only its ID, notice
   * key, link to the purpose and the columns that may still change (`remembered`).
   */
  readonly versions: (Record<string, unknown> & {
    noticeKey: string;
    revisionId: string | null;
    row?: unknown;
    remembered?: true;
  })[];
  readonly subjects: SubjectRecordsRow[];
}

/**
 * Everything an eligibility decision about some subjects rests on, in one statement: the
 * purpose, the controller's settings, the revisions up to `at`, the versions of the notices that
 * cover the purpose, and per subject its responses about the purpose and its notifications of
 * those versions with their events. Each step is an index probe (Purpose (controllerId, key),
 * PurposeRevision (purposeId, number), NoticeVersionPurpose (purposeId), NoticeVersion (noticeId,
 * number), Subject (id), Response (subjectId, purposeId, …), Notification (subjectId, versionId),
 * NotificationEvent (controllerId, notificationKey, …)), whatever the tables' statistics.
 *
 * A version among `knownVersions`, the rows the process remembers (published-version-rows.ts),
 * comes with only what may differ from the remembered row: the columns that may still change, its
 * notice's key and its link to the purpose. Any other carries the columns the decision reads and,
 * when the answer may name it — it is one of the subjects' records, or its notice's latest version
 * effective at `at` — its row (`row`, every column but the canonical form: `VersionFromFacts`), so
 * that the evidence needs no further statement.
 *
 * The subjects are given by ID, or one subject by its reference hash (Subject (controllerId,
 * refHash)): then its full row comes back too (`row`), and a lookup needs no other statement.
 */
export function subjectFactsQuery(
  controllerId: string,
  purposeKey: string,
  at: Date,
  subjects: readonly string[] | { readonly refHash: string },
  knownVersions: readonly string[] = [],
): Prisma.Sql {
  const controller = Prisma.sql`${controllerId}::uuid`;
  const byHash = 'refHash' in subjects;
  const which = byHash
    ? Prisma.sql`s."refHash" = ${subjects.refHash}`
    : Prisma.sql`s."id" = ANY(${[...subjects]}::uuid[])`;
  return Prisma.sql`
    WITH purpose AS (
      SELECT p."id", p."key", p."archivedAt" FROM "Purpose" p
      WHERE p."controllerId" = ${controller} AND p."key" = ${purposeKey}
    ), notices AS (
      SELECT DISTINCT cv."noticeId" AS "id"
      FROM purpose p
      JOIN "NoticeVersionPurpose" cl ON cl."purposeId" = p."id"
      JOIN "NoticeVersion" cv ON cv."id" = cl."versionId" AND cv."number" IS NOT NULL
    ), versions AS (
      SELECT v."id", v."noticeId", nt."key" AS "noticeKey", v."number", v."effectiveFrom", v."publishedAt",
        v."retiredAt", v."classification", v."classificationReasons", v."minimumNoticeDays",
        v."status", v."retiredByKeyId", v."updatedAt", link."revisionId"
      FROM notices
      JOIN "Notice" nt ON nt."id" = notices."id" AND nt."controllerId" = ${controller}
      JOIN "NoticeVersion" v ON v."noticeId" = nt."id" AND v."number" IS NOT NULL
      LEFT JOIN "NoticeVersionPurpose" link
        ON link."versionId" = v."id" AND link."purposeId" = (SELECT p."id" FROM purpose p)
    ), subjects AS (
      SELECT s."id", s."erasedAt",
        (SELECT coalesce(jsonb_agg(to_jsonb(r) || jsonb_build_object('objectionDecision', (
                   SELECT jsonb_build_object('outcome', oc."outcome", 'decidedAt', oc."decidedAt")
                   FROM "ObjectionCase" oc WHERE oc."responseId" = r."id"))
                 ORDER BY r."occurredAt", r."id"), '[]'::jsonb)
           FROM purpose p
           JOIN "Response" r ON r."subjectId" = s."id" AND r."purposeId" = p."id"
           WHERE r."controllerId" = ${controller}) AS "responses",
        (SELECT coalesce(jsonb_agg(to_jsonb(n) || jsonb_build_object('events', e."events")
                                   ORDER BY n."occurredAt", n."id"), '[]'::jsonb)
           FROM versions v
           JOIN "Notification" n ON n."subjectId" = s."id" AND n."versionId" = v."id"
           CROSS JOIN LATERAL (
             SELECT coalesce(jsonb_agg(to_jsonb(ev) ORDER BY ev."occurredAt", ev."recordedAt", ev."id"), '[]'::jsonb)
               AS "events"
             FROM "NotificationEvent" ev
             WHERE ev."controllerId" = n."controllerId" AND ev."notificationKey" = n."idempotencyKey"
           ) e
           WHERE n."controllerId" = ${controller}) AS "notifications"
        ${byHash ? Prisma.sql`, to_jsonb(s) AS "row"` : Prisma.empty}
      FROM "Subject" s
      WHERE s."controllerId" = ${controller} AND ${which}
    ), named AS (
      SELECT (jsonb_array_elements(s."notifications") ->> 'versionId')::uuid AS "id" FROM subjects s
      UNION SELECT (jsonb_array_elements(s."responses") ->> 'versionId')::uuid FROM subjects s
      UNION (SELECT DISTINCT ON (v."noticeId") v."id" FROM versions v
        WHERE v."effectiveFrom" <= ${at.toISOString()}::timestamptz
        ORDER BY v."noticeId", v."effectiveFrom" DESC, v."number" DESC)
    )
    SELECT c."minimumNoticeDays", c."reachEvidence",
      (SELECT to_jsonb(p) FROM purpose p) AS "purpose",
      (SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY r."number"), '[]'::jsonb)
         FROM purpose p JOIN "PurposeRevision" r ON r."purposeId" = p."id"
         WHERE r."createdAt" <= ${at.toISOString()}::timestamptz) AS "revisions",
      (SELECT coalesce(jsonb_agg(CASE WHEN v."id" = ANY(${[...knownVersions]}::uuid[])
           THEN jsonb_build_object('id', v."id", 'noticeKey', v."noticeKey", 'revisionId', v."revisionId",
             'status', v."status", 'retiredAt', v."retiredAt", 'retiredByKeyId', v."retiredByKeyId",
             'updatedAt', v."updatedAt", 'remembered', true)
           ELSE to_jsonb(v) || jsonb_build_object('row', (
                SELECT to_jsonb(r) FROM (SELECT ${versionFactsColumns('full_row')} FROM "NoticeVersion" full_row
                  WHERE full_row."id" = v."id" AND v."id" IN (SELECT named."id" FROM named)) r)) END), '[]'::jsonb)
         FROM versions v) AS "versions",
      (SELECT coalesce(jsonb_agg(to_jsonb(s)), '[]'::jsonb) FROM subjects s) AS "subjects"
    FROM "Controller" c
    WHERE c."id" = ${controller}`;
}

/**
 * A version of `subjectFactsQuery`, typed; a remembered one made whole from `remembered`, the
 * rows whose IDs the statement was told.
 */
export function versionRowFromJson(
  row: SubjectFactsRow['versions'][number],
  remembered: ReadonlyMap<string, FixedVersionColumns>,
): VersionRow {
  const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));
  if (row.remembered) {
    const fixed = remembered.get(row.id as string);
    if (fixed === undefined) throw new Error(`Version ${row.id} was left out as remembered, but is not`);
    return {
      id: fixed.id,
      noticeId: fixed.noticeId,
      noticeKey: row.noticeKey,
      number: fixed.number!,
      effectiveFrom: fixed.effectiveFrom,
      publishedAt: fixed.publishedAt!,
      retiredAt: date(row.retiredAt),
      classification: fixed.classification,
      classificationReasons: fixed.classificationReasons,
      minimumNoticeDays: fixed.minimumNoticeDays,
      revisionId: row.revisionId,
    };
  }
  return {
    id: row.id as string,
    noticeId: row.noticeId as string,
    noticeKey: row.noticeKey as string,
    number: row.number as number,
    effectiveFrom: date(row.effectiveFrom)!,
    publishedAt: date(row.publishedAt)!,
    retiredAt: date(row.retiredAt),
    classification: row.classification as ChangeClass | null,
    classificationReasons: row.classificationReasons,
    minimumNoticeDays: row.minimumNoticeDays as number | null,
    revisionId: row.revisionId as string | null,
  };
}

export interface SubjectRecords {
  readonly erasedAt: Date | null;
  /** With, for an objection, how its case stands (`objectionDecision`). */
  readonly responses: (Response & { objectionDecision: ObjectionDecisionFact | null })[];
  /** Its notifications of the versions covering the purpose, with their events. */
  readonly notifications: (Notification & { events: NotificationEvent[] })[];
}

/** A subject's records, typed; only notifications of versions covering the purpose count (none before the purpose existed). */
export function subjectRecords(
  row: SubjectRecordsRow,
  context: PurposeContext,
  rules: PurposeRules,
): SubjectRecords {
  const notifications = context.revision === null ? [] : row.notifications;
  return {
    erasedAt: row.erasedAt === null ? null : new Date(row.erasedAt),
    responses: row.responses.map((response) => ({
      ...responseFromJson(response),
      objectionDecision: objectionDecisionFromJson(
        (response as { objectionDecision?: unknown }).objectionDecision,
      ),
    })),
    notifications: notifications
      .filter((notification) => rules.covering.has(notification.versionId as string))
      .map(({ events, ...notification }) => ({
        ...notificationFromJson(notification),
        events: events.map(eventFromJson),
      })),
  };
}

/** An objection case's outcome as `subjectFactsQuery` returns it; null when the response opened none. */
function objectionDecisionFromJson(value: unknown): ObjectionDecisionFact | null {
  if (value === null || value === undefined) return null;
  const { outcome, decidedAt } = value as {
    outcome: ObjectionDecisionFact['outcome'];
    decidedAt: string | null;
  };
  return { outcome, decidedAt: decidedAt === null ? null : new Date(decidedAt) };
}
