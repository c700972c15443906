import { Prisma } from '../../generated/prisma/client.js';
import { versionFactsColumns } from '../notice/version-from-facts.js';

/** One row of `proofFactsQuery`; the records are `to_jsonb` rows (src/db/json-records.ts). */
export interface ProofFactsRow {
  /** The subject found by its reference hash (`to_jsonb`); only its ID when asked by ID; null when none. */
  readonly subject: Record<string, unknown> | null;
  readonly minimumNoticeDays: number;
  readonly reachEvidence: unknown;
  /** Every column but the canonical form (`VersionFromFacts`); null when the controller has no such notice version. */
  readonly version: unknown;
  /** The version's texts in the locales of the notifications below, but those named in `knownTexts`. */
  readonly translations: { locale: string; title: string; body: string }[];
  /** The subject's notifications of the version, oldest first, each with `events`, oldest first. */
  readonly notifications: (Record<string, unknown> & { events: unknown[] })[];
}

/** The subject a lookup is about: known by ID, or found by its reference hash in the same statement. */
export type SubjectSelector = { readonly id: string } | { readonly refHash: string };

/** A one-row relation of the subject (every column when found by hash), for the lookup statements. */
export function subjectRelation(controllerId: string, subject: SubjectSelector): Prisma.Sql {
  return 'id' in subject
    ? Prisma.sql`SELECT ${subject.id}::uuid AS "id"`
    : Prisma.sql`SELECT s.* FROM "Subject" s
        WHERE s."controllerId" = ${controllerId}::uuid AND s."refHash" = ${subject.refHash}`;
}

/**
 * Everything a proof of notification rests on, in one statement: the controller's settings, the
 * version, the subject's notifications of it with their events (LATERAL, one probe each), and the
 * texts of the locales they were sent in. Every step is an index probe: Notice (controllerId, key),
 * NoticeVersion (noticeId, number), Notification (subjectId, versionId), NotificationEvent
 * (controllerId, notificationKey, …), NoticeTranslation (versionId, locale); and Subject
 * (controllerId, refHash) when the subject is given by its reference hash.
 *
 * The texts whose hashes the process remembers (`knownTexts`, as `versionId:locale`:
 * published-version-rows.ts) are left out: a published version's texts never change, and a proof
 * needs only their hashes.
 */
export function proofFactsQuery(
  controllerId: string,
  subject: SubjectSelector,
  noticeKey: string,
  number: number,
  knownTexts: readonly string[] = [],
): Prisma.Sql {
  return Prisma.sql`
    WITH subject AS (${subjectRelation(controllerId, subject)}), version AS (
      SELECT ${versionFactsColumns('v')} FROM "Notice" nt
      JOIN "NoticeVersion" v ON v."noticeId" = nt."id" AND v."number" = ${number}::int
      WHERE nt."controllerId" = ${controllerId}::uuid AND nt."key" = ${noticeKey}
    ), notified AS (
      SELECT n.*, e."events" FROM version v CROSS JOIN subject s
      JOIN "Notification" n ON n."subjectId" = s."id" AND n."versionId" = v."id"
      CROSS JOIN LATERAL (
        SELECT coalesce(jsonb_agg(to_jsonb(ev) ORDER BY ev."occurredAt", ev."recordedAt", ev."id"), '[]'::jsonb)
          AS "events"
        FROM "NotificationEvent" ev
        WHERE ev."controllerId" = n."controllerId" AND ev."notificationKey" = n."idempotencyKey"
      ) e
      WHERE n."controllerId" = ${controllerId}::uuid
    )
    SELECT c."minimumNoticeDays", c."reachEvidence",
      (SELECT to_jsonb(s) FROM subject s) AS "subject",
      (SELECT to_jsonb(v) FROM version v) AS "version",
      (SELECT coalesce(jsonb_agg(jsonb_build_object('locale', t."locale", 'title', t."title", 'body', t."body")),
                       '[]'::jsonb)
         FROM version v JOIN "NoticeTranslation" t ON t."versionId" = v."id"
         WHERE t."locale" IN (SELECT n."locale" FROM notified n)
           AND NOT (v."id"::text || ':' || t."locale" = ANY(${[...knownTexts]}::text[]))) AS "translations",
      (SELECT coalesce(jsonb_agg(to_jsonb(n) ORDER BY n."occurredAt", n."id"), '[]'::jsonb) FROM notified n)
        AS "notifications"
    FROM "Controller" c
    WHERE c."id" = ${controllerId}::uuid`;
}
