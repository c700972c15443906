import { Prisma } from '../../generated/prisma/client.js';
import { dayMs } from '../../lib/time.js';
import { emitCampaignMilestones } from '../change-feed/campaign-milestones.js';

/** Country bucket for subjects whose jurisdiction is unknown (ISO 3166 user-assigned code). */
export const unknownCountry = 'ZZ';

/**
 * Events and notifications may arrive in either order. Both paths take this per-controller lock
 * before counting milestones against notifications, and hold it to commit, so that whichever
 * commits second sees the other's rows: each milestone is counted exactly once.
 */
async function lockMilestoneCounting(tx: Prisma.TransactionClient, controllerId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('notarium-milestones:' || ${controllerId}))`;
}

const upsertCounters = Prisma.sql`
  ON CONFLICT ("campaignId", "metric", "channel", "country", "day")
  DO UPDATE SET "count" = "CampaignCounter"."count" + EXCLUDED."count"`;

export interface RecordedRow {
  readonly campaignId: string | null;
  readonly channel: string;
  readonly jurisdiction: string | null;
  readonly occurredAt: Date | string;
}

export type CounterUpdate =
  | { recorded: readonly RecordedRow[]; notificationKeys: readonly string[] }
  | { milestoneKeys: readonly string[]; milestoneTypes: readonly string[] };

/** RECORDED counts come from the inserted rows themselves: no re-read of the table. */
function recordedCounts(rows: readonly RecordedRow[]) {
  const counts = new Map<
    string,
    { campaignId: string; channel: string; country: string; day: string; count: number }
  >();
  for (const row of rows) {
    if (!row.campaignId) continue;
    const epochDay = Math.floor(new Date(row.occurredAt).getTime() / dayMs);
    const country = row.jurisdiction ?? unknownCountry;
    const key = `${row.campaignId}|${row.channel}|${country}|${epochDay}`;
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else {
      const day = new Date(epochDay * dayMs).toISOString().slice(0, 10);
      counts.set(key, { campaignId: row.campaignId, channel: row.channel, country, day, count: 1 });
    }
  }
  return [...counts.values()].sort((a, b) =>
    (a.campaignId + a.channel + a.country + a.day).localeCompare(
      b.campaignId + b.channel + b.country + b.day,
    ),
  );
}

/** Keeps campaign figures current in the transaction that changes them, and announces their milestones. */
export async function incrementCounters(
  tx: Prisma.TransactionClient,
  controllerId: string,
  update: CounterUpdate,
) {
  await countFigures(tx, controllerId, update);
  await emitCampaignMilestones(tx, controllerId, update);
}

async function countFigures(
  tx: Prisma.TransactionClient,
  controllerId: string,
  update: CounterUpdate,
): Promise<void> {
  if ('notificationKeys' in update) {
    const counts = recordedCounts(update.recorded);
    if (counts.length > 0) {
      await tx.$executeRaw`
        INSERT INTO "CampaignCounter" ("campaignId", "metric", "channel", "country", "day", "count")
        SELECT c, 'RECORDED', ch::"NotificationChannel", co, d, n
        FROM unnest(
          ${counts.map((entry) => entry.campaignId)}::uuid[], ${counts.map((entry) => entry.channel)}::text[],
          ${counts.map((entry) => entry.country)}::text[], ${counts.map((entry) => entry.day)}::date[],
          ${counts.map((entry) => entry.count)}::bigint[]
        ) AS t(c, ch, co, d, n)
        ${upsertCounters}`;
    }
    await lockMilestoneCounting(tx, controllerId);
    await tx.$executeRaw`
      INSERT INTO "CampaignCounter" ("campaignId", "metric", "channel", "country", "day", "count")
      SELECT n."campaignId", m."type"::text, n."channel", COALESCE(n."jurisdiction", ${unknownCountry}::text),
             (m."occurredAt" AT TIME ZONE 'UTC')::date, count(*)
      FROM unnest(${update.notificationKeys}::text[]) AS t(k)
      -- A probe per key (OFFSET 0 keeps it a LATERAL probe): a large = ANY(array) may be planned
      -- as a scan of all the controller's milestones.
      CROSS JOIN LATERAL (
        SELECT "type", "occurredAt", "notificationKey" FROM "NotificationMilestone"
        WHERE "controllerId" = ${controllerId}::uuid AND "notificationKey" = t.k OFFSET 0
      ) m
      JOIN "Notification" n ON n."controllerId" = ${controllerId}::uuid AND n."idempotencyKey" = m."notificationKey"
      WHERE n."campaignId" IS NOT NULL
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 ${upsertCounters}`;
    return;
  }
  if (update.milestoneKeys.length === 0) return;
  await lockMilestoneCounting(tx, controllerId);
  await tx.$executeRaw`
    INSERT INTO "CampaignCounter" ("campaignId", "metric", "channel", "country", "day", "count")
    SELECT n."campaignId", m."type"::text, n."channel", COALESCE(n."jurisdiction", ${unknownCountry}::text),
           (m."occurredAt" AT TIME ZONE 'UTC')::date, count(*)
    FROM unnest(${update.milestoneKeys}::text[], ${update.milestoneTypes}::text[]) AS fresh(k, t)
    JOIN "NotificationMilestone" m
      ON m."controllerId" = ${controllerId}::uuid AND m."notificationKey" = fresh.k AND m."type"::text = fresh.t
    JOIN "Notification" n ON n."controllerId" = m."controllerId" AND n."idempotencyKey" = m."notificationKey"
    WHERE n."campaignId" IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5 ${upsertCounters}`;
}
