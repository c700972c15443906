import { type Notification, Prisma, type PrismaClient, type Subject } from '../../generated/prisma/client.js';
import type { EventType } from '../notification/notification.policy.js';
import { countingPairs, type ReachEvidence } from '../notification/reach.policy.js';
import { type NotReachedReason, notReachedReason } from './not-reached.policy.js';

/** One campaign notification that did not reach the person, and why. */
export interface NotReachedNotification {
  readonly notification: Notification;
  readonly reason: NotReachedReason;
}

/** One person on a campaign's follow-up list. */
export interface NotReachedEntry {
  readonly subject: Subject;
  /** The campaign's notifications to them, latest first; none reached them. */
  readonly notifications: readonly NotReachedNotification[];
}

/** A page by subject ID, as the relay helper asks for it: `limit` rows after or before a cursor. */
export interface SubjectIdPage {
  readonly after?: string;
  readonly before?: string;
  readonly limit: number;
  readonly inverted: boolean;
}

interface Row {
  readonly subjectId: string;
  readonly attempts: { id: string; channel: string; types: EventType[] }[];
}

/**
 * The campaign's follow-up list, one page, in three statements whatever its size: the subject
 * IDs with what their campaign notifications show (one set-based query), then those subjects
 * and those notifications by primary key.
 *
 * A subject is on the list when the campaign sent them a notification of its version, none of
 * their notifications of that version (through this campaign, another one or none) has an event
 * that counts under `rules` for its channel, and they are not erased (Art. 17: nothing links the
 * records to a person any more). Reach is read from the milestones (the first event of each
 * type), so each notification is one primary-key probe per counting type.
 */
export async function notReachedPage(
  prisma: PrismaClient,
  controllerId: string,
  campaign: { readonly id: string; readonly versionId: string },
  rules: ReachEvidence,
  page: SubjectIdPage,
): Promise<NotReachedEntry[]> {
  const counting = countingPairs(rules);
  const bound = page.after
    ? Prisma.sql`AND s."id" > ${page.after}::uuid`
    : page.before
      ? Prisma.sql`AND s."id" < ${page.before}::uuid`
      : Prisma.empty;
  const order = page.inverted ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const rows = await prisma.$queryRaw<Row[]>`
    WITH page AS (
      SELECT s."id"
      FROM "Subject" s
      WHERE s."controllerId" = ${controllerId}::uuid AND s."erasedAt" IS NULL ${bound}
        AND EXISTS (
          SELECT 1 FROM "Notification" n
          WHERE n."subjectId" = s."id" AND n."versionId" = ${campaign.versionId}::uuid
            AND n."campaignId" = ${campaign.id}::uuid
        )
        AND NOT EXISTS (
          SELECT 1
          FROM "Notification" n
          JOIN unnest(${counting.map(([channel]) => channel)}::text[], ${counting.map(([, type]) => type)}::text[])
            AS r(channel, type) ON r.channel = n."channel"::text
          JOIN "NotificationMilestone" m
            ON m."controllerId" = n."controllerId" AND m."notificationKey" = n."idempotencyKey"
            AND m."type" = r.type::"NotificationEventType"
          WHERE n."subjectId" = s."id" AND n."versionId" = ${campaign.versionId}::uuid
        )
      ORDER BY s."id" ${order}
      LIMIT ${page.limit}
    )
    SELECT page."id"::text AS "subjectId", (
      SELECT json_agg(json_build_object('id', n."id", 'channel', n."channel", 'types', (
               SELECT coalesce(json_agg(m."type" ORDER BY m."type"), '[]'::json)
               FROM "NotificationMilestone" m
               WHERE m."controllerId" = n."controllerId" AND m."notificationKey" = n."idempotencyKey"
             )) ORDER BY n."occurredAt" DESC, n."id" DESC)
      FROM "Notification" n
      WHERE n."subjectId" = page."id" AND n."versionId" = ${campaign.versionId}::uuid
        AND n."campaignId" = ${campaign.id}::uuid
    ) AS attempts
    FROM page
    ORDER BY page."id" ${order}`;
  if (rows.length === 0) return [];
  const [subjects, notifications] = await Promise.all([
    prisma.subject.findMany({ where: { id: { in: rows.map((row) => row.subjectId) } } }),
    prisma.notification.findMany({
      where: { id: { in: rows.flatMap((row) => row.attempts.map((attempt) => attempt.id)) } },
    }),
  ]);
  const subjectById = new Map(subjects.map((subject) => [subject.id, subject]));
  const notificationById = new Map(notifications.map((notification) => [notification.id, notification]));
  return rows.map((row) => ({
    subject: subjectById.get(row.subjectId)!,
    notifications: row.attempts.map((attempt) => ({
      notification: notificationById.get(attempt.id)!,
      reason: notReachedReason(attempt.channel, attempt.types),
    })),
  }));
}
