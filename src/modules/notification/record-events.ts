import { createHash } from 'node:crypto';
import { noteLoaded } from '../../db/analyze-after-load.js';
import type { Database } from '../../db/database.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { incrementCounters } from './campaign-counters.js';
import { commitIfAccepted } from './commit-if-accepted.js';
import { type BulkResult, rejected, summarize, validateItems } from './item-result.js';
import { type EventItem, eventItemSchema } from './notification.validation.js';
import { type PublicationBound, sentBeforePublication } from './sent-before-publication.js';

export interface RawEventItem {
  readonly notificationId?: string | null;
  readonly notificationIdempotencyKey?: string | null;
  readonly type: string;
  readonly occurredAt: Date;
  readonly detail?: string | null;
}

/**
 * Records delivery events. An event names its notification by ID or by the notification's
 * idempotency key; by key it may arrive before the notification and attaches when it does.
 * The same (notification, type, occurredAt) twice is a duplicate, not a second event.
 */
export async function recordNotificationEvents(
  database: Database,
  viewer: Viewer,
  rawItems: readonly RawEventItem[],
  now = new Date(),
): Promise<BulkResult> {
  const schema = eventItemSchema(now);
  const { valid, results } = validateItems(schema, rawItems);

  const byId = valid
    .map(({ item }) => decodeGlobalIdOf('Notification', item.notificationId))
    .filter((id) => id !== null);
  const keysById = new Map<string, string>();
  if (byId.length > 0) {
    const rows = await database.prisma.notification.findMany({
      where: { controllerId: viewer.controllerId, id: { in: [...new Set(byId)] } },
      select: { id: true, idempotencyKey: true },
    });
    for (const row of rows) keysById.set(row.id, row.idempotencyKey);
  }

  const named: { index: number; key: string; item: EventItem }[] = [];
  for (const { index, item } of valid) {
    let key = item.notificationIdempotencyKey ?? null;
    if (item.notificationId) {
      const id = decodeGlobalIdOf('Notification', item.notificationId);
      key = id ? (keysById.get(id) ?? null) : null;
      if (key === null) {
        results.push(rejected(index, null, 'NOTIFICATION_NOT_FOUND', 'No such notification.'));
        continue;
      }
    }
    named.push({ index, key: key!, item });
  }
  const bounds = await publicationBounds(
    database,
    viewer.controllerId,
    named.map((entry) => entry.key),
  );

  const prepared: { index: number; key: string; item: EventItem }[] = [];
  const seen = new Map<string, number>();
  for (const { index, key, item } of named) {
    // An event that arrives before its notification has no version yet: it cannot be checked.
    const bound = bounds.get(key);
    const tooEarly = bound ? sentBeforePublication(item.occurredAt, bound) : null;
    if (tooEarly) {
      results.push(rejected(index, key, tooEarly.code, tooEarly.message));
      continue;
    }
    const identity = `${key}\u0000${item.type}\u0000${item.occurredAt.toISOString()}`;
    if (seen.has(identity)) {
      results.push({ index, idempotencyKey: key, status: 'DUPLICATE', recordId: null, error: null });
      continue;
    }
    seen.set(identity, index);
    prepared.push({ index, key, item });
  }
  if (prepared.length === 0) return summarize(null, results);

  const keys = prepared.map((entry) => entry.key);
  const types = prepared.map((entry) => entry.item.type);
  const times = prepared.map((entry) => entry.item.occurredAt.toISOString());
  const rows = await commitIfAccepted(
    database.prisma,
    async (tx) => {
      const inserted = await tx.$queryRaw<{ id: string; k: string; t: string; o: Date }[]>`
        INSERT INTO "NotificationEvent" ("id", "controllerId", "notificationKey", "type", "occurredAt", "detail")
        SELECT gen_random_uuid(), ${viewer.controllerId}::uuid, k, t::"NotificationEventType", o, d
        FROM unnest(
          ${keys}::text[], ${types}::text[], ${times}::timestamptz[],
          ${prepared.map((entry) => entry.item.detail ?? null)}::text[]
        ) AS e(k, t, o, d)
        ON CONFLICT ("controllerId", "notificationKey", "type", "occurredAt") DO NOTHING
        RETURNING "id"::text, "notificationKey" AS k, "type"::text AS t, "occurredAt" AS o`;
      if (inserted.length > 0) {
        const milestones = await tx.$queryRaw<{ k: string; t: string }[]>`
          INSERT INTO "NotificationMilestone" ("controllerId", "notificationKey", "type", "occurredAt")
          SELECT ${viewer.controllerId}::uuid, k, t::"NotificationEventType", min(o)
          FROM unnest(
            ${inserted.map((row) => row.k)}::text[], ${inserted.map((row) => row.t)}::text[],
            ${inserted.map((row) => new Date(row.o).toISOString())}::timestamptz[]
          ) AS e(k, t, o) GROUP BY k, t
          ON CONFLICT ("controllerId", "notificationKey", "type") DO NOTHING
          RETURNING "notificationKey" AS k, "type"::text AS t`;
        await incrementCounters(tx, viewer.controllerId, {
          milestoneKeys: milestones.map((row) => row.k),
          milestoneTypes: milestones.map((row) => row.t),
        });
        await appendAudit(tx, actorOf(viewer), {
          action: 'notificationEvents:record',
          targetType: 'NotificationEvent',
          details: {
            submitted: rawItems.length,
            accepted: inserted.length,
            itemsHash: sha256(
              inserted
                .map((row) => row.id)
                .sort()
                .join('\n'),
            ),
          },
        });
      }
      const existing = await tx.$queryRaw<{ id: string; k: string; t: string; o: Date }[]>`
        SELECT e."id"::text, e."notificationKey" AS k, e."type"::text AS t, e."occurredAt" AS o
        FROM unnest(${keys}::text[], ${types}::text[], ${times}::timestamptz[]) AS w(k, t, o)
        JOIN "NotificationEvent" e ON e."controllerId" = ${viewer.controllerId}::uuid AND e."notificationKey" = w.k
          AND e."type"::text = w.t AND e."occurredAt" = w.o`;
      return { inserted: new Set(inserted.map((row) => row.id)), existing };
    },
    (written) => written.inserted.size,
    { timeout: 120_000, maxWait: 30_000 },
  );
  void noteLoaded(database, 'NotificationEvent', rows.inserted.size);
  const idOf = new Map(
    rows.existing.map((row) => [`${row.k}\u0000${row.t}\u0000${new Date(row.o).toISOString()}`, row.id]),
  );
  for (const entry of prepared) {
    const id =
      idOf.get(`${entry.key}\u0000${entry.item.type}\u0000${entry.item.occurredAt.toISOString()}`) ?? null;
    results.push({
      index: entry.index,
      idempotencyKey: entry.key,
      status: id !== null && rows.inserted.has(id) ? 'ACCEPTED' : 'DUPLICATE',
      recordId: id,
      error: null,
    });
  }
  return summarize(null, results);
}

/**
 * The publication instant of each recorded notification's version and the controller's
 * tolerance, for the distinct keys of a batch: one statement, an index probe per key.
 */
async function publicationBounds(
  database: Database,
  controllerId: string,
  keys: readonly string[],
): Promise<Map<string, PublicationBound>> {
  const bounds = new Map<string, PublicationBound>();
  if (keys.length === 0) return bounds;
  const rows = await database.prisma.$queryRaw<
    { key: string; publishedAt: Date; toleranceSeconds: number }[]
  >`
    SELECT n."idempotencyKey" AS key, v."publishedAt", c."clockSkewToleranceSeconds" AS "toleranceSeconds"
    FROM unnest(${[...new Set(keys)]}::text[]) AS t(k)
    CROSS JOIN LATERAL (
      SELECT "idempotencyKey", "versionId" FROM "Notification"
      WHERE "controllerId" = ${controllerId}::uuid AND "idempotencyKey" = t.k LIMIT 1
    ) n
    JOIN "NoticeVersion" v ON v."id" = n."versionId"
    JOIN "Controller" c ON c."id" = ${controllerId}::uuid
    WHERE v."publishedAt" IS NOT NULL`;
  for (const row of rows)
    bounds.set(row.key, { publishedAt: new Date(row.publishedAt), toleranceSeconds: row.toleranceSeconds });
  return bounds;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
