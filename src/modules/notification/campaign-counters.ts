import type { Prisma } from '../../generated/prisma/client.js';

/** Country bucket for subjects whose jurisdiction is unknown (ISO 3166 user-assigned code). */
export const unknownCountry = 'ZZ';

/**
 * Events and notifications may arrive in either order. Both paths take this per-controller lock
 * before counting milestones against notifications, and hold it to commit, so that whichever
 * commits second sees the other's rows: each milestone is counted exactly once.
 */
async function lockMilestoneCounting(tx: Prisma.TransactionClient, controllerId: string): Promise<void> {
  await tx.$executeRawUnsafe(
    `SELECT pg_advisory_xact_lock(hashtext('notarium-milestones:' || $1))`,
    controllerId,
  );
}

const upsertCounters = `
  ON CONFLICT ("campaignId", "metric", "channel", "country", "day")
  DO UPDATE SET "count" = "CampaignCounter"."count" + EXCLUDED."count"`;

export type CounterUpdate =
  | { notificationKeys: readonly string[] }
  | { milestoneKeys: readonly string[]; milestoneTypes: readonly string[] };

/** Keeps campaign figures current in the transaction that changes them. */
export async function incrementCounters(
  tx: Prisma.TransactionClient,
  controllerId: string,
  update: CounterUpdate,
): Promise<void> {
  if ('notificationKeys' in update) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "CampaignCounter" ("campaignId", "metric", "channel", "country", "day", "count")
       SELECT n."campaignId", 'RECORDED', n."channel", COALESCE(n."jurisdiction", '${unknownCountry}'),
              (n."occurredAt" AT TIME ZONE 'UTC')::date, count(*)
       FROM "Notification" n
       WHERE n."controllerId" = $1::uuid AND n."idempotencyKey" = ANY($2::text[]) AND n."campaignId" IS NOT NULL
       GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 ${upsertCounters}`,
      controllerId,
      update.notificationKeys,
    );
    await lockMilestoneCounting(tx, controllerId);
    await tx.$executeRawUnsafe(
      `INSERT INTO "CampaignCounter" ("campaignId", "metric", "channel", "country", "day", "count")
       SELECT n."campaignId", m."type"::text, n."channel", COALESCE(n."jurisdiction", '${unknownCountry}'),
              (m."occurredAt" AT TIME ZONE 'UTC')::date, count(*)
       FROM "NotificationMilestone" m
       JOIN "Notification" n ON n."controllerId" = m."controllerId" AND n."idempotencyKey" = m."notificationKey"
       WHERE m."controllerId" = $1::uuid AND m."notificationKey" = ANY($2::text[]) AND n."campaignId" IS NOT NULL
       GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 ${upsertCounters}`,
      controllerId,
      update.notificationKeys,
    );
    return;
  }
  if (update.milestoneKeys.length === 0) return;
  await lockMilestoneCounting(tx, controllerId);
  await tx.$executeRawUnsafe(
    `INSERT INTO "CampaignCounter" ("campaignId", "metric", "channel", "country", "day", "count")
     SELECT n."campaignId", m."type"::text, n."channel", COALESCE(n."jurisdiction", '${unknownCountry}'),
            (m."occurredAt" AT TIME ZONE 'UTC')::date, count(*)
     FROM unnest($2::text[], $3::text[]) AS fresh(k, t)
     JOIN "NotificationMilestone" m
       ON m."controllerId" = $1::uuid AND m."notificationKey" = fresh.k AND m."type"::text = fresh.t
     JOIN "Notification" n ON n."controllerId" = m."controllerId" AND n."idempotencyKey" = m."notificationKey"
     WHERE n."campaignId" IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 ${upsertCounters}`,
    controllerId,
    update.milestoneKeys,
    update.milestoneTypes,
  );
}
