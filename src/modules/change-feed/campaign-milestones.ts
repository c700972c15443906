import type { Prisma } from '../../generated/prisma/client.js';
import type { CounterUpdate } from '../notification/campaign-counters.js';
import { type MilestoneMetric, milestoneMetrics, milestonesReached } from './campaign-milestones.policy.js';
import { changes } from './change-events.js';
import { emitChange } from './change-feed.emit.js';

type Tx = Prisma.TransactionClient;

/**
 * The campaigns whose milestone figures a counter update may have moved: those of the recorded
 * notifications, or, for delivery events, those of the notifications a DELIVERED milestone
 * belongs to. Other updates (opened, bounced…) move no milestone and cost no statement.
 */
async function touchedCampaigns(tx: Tx, controllerId: string, update: CounterUpdate): Promise<string[]> {
  if ('notificationKeys' in update) {
    return [...new Set(update.recorded.flatMap((row) => (row.campaignId ? [row.campaignId] : [])))];
  }
  const delivered = update.milestoneKeys.filter(
    (_key, index) => update.milestoneTypes[index] === 'DELIVERED',
  );
  if (delivered.length === 0) return [];
  const rows = await tx.$queryRaw<{ campaignId: string }[]>`
    SELECT DISTINCT n."campaignId"::text AS "campaignId"
    FROM unnest(${delivered}::text[]) AS k(key)
    JOIN "Notification" n ON n."controllerId" = ${controllerId}::uuid AND n."idempotencyKey" = k.key
    WHERE n."campaignId" IS NOT NULL`;
  return rows.map((row) => row.campaignId);
}

/**
 * After the campaign counters moved (same transaction): emits the milestones newly reached.
 * Each milestone has a dedupe key, so it is announced once however many batches cross it.
 */
export async function emitCampaignMilestones(
  tx: Tx,
  controllerId: string,
  update: CounterUpdate,
  now = new Date(),
): Promise<void> {
  const campaignIds = await touchedCampaigns(tx, controllerId, update);
  if (campaignIds.length === 0) return;
  const figures = await tx.$queryRaw<
    { id: string; name: string; plannedSize: number; metric: MilestoneMetric; count: bigint }[]
  >`
    SELECT c."id"::text AS "id", c."name", c."plannedSize", cc."metric", SUM(cc."count")::bigint AS "count"
    FROM "Campaign" c
    JOIN "CampaignCounter" cc ON cc."campaignId" = c."id" AND cc."metric" = ANY(${[...milestoneMetrics]}::text[])
    WHERE c."id" = ANY(${campaignIds}::uuid[]) AND c."controllerId" = ${controllerId}::uuid
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 4`;
  const candidates = figures.flatMap((figure) =>
    milestonesReached(figure.metric, Number(figure.count), figure.plannedSize).map((milestone) =>
      changes.campaignMilestone({ ...figure, controllerId }, milestone),
    ),
  );
  if (candidates.length === 0) return;
  const announced = await tx.changeEvent.findMany({
    where: { controllerId, dedupeKey: { in: candidates.map((change) => change.dedupeKey!) } },
    select: { dedupeKey: true },
  });
  const seen = new Set(announced.map((event) => event.dedupeKey));
  for (const change of candidates) {
    if (!seen.has(change.dedupeKey!)) await emitChange(tx, change, now);
  }
}
