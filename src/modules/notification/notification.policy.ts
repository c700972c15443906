export type EventType =
  | 'SENT'
  | 'DELIVERED'
  | 'BOUNCED'
  | 'FAILED'
  | 'OPENED'
  | 'ACKNOWLEDGED'
  | 'DISMISSED'
  | 'DISPLAYED';
export type DeliveryStatus = 'RECORDED' | EventType;

/** Among events at the same instant, the one further along the delivery path wins. */
const progress: Record<EventType, number> = {
  SENT: 1,
  FAILED: 2,
  BOUNCED: 2,
  DELIVERED: 3,
  DISPLAYED: 3,
  OPENED: 4,
  DISMISSED: 5,
  ACKNOWLEDGED: 5,
};

/** A notification's status is its latest event by `occurredAt`, whatever order events arrived in. */
export function deliveryStatus(events: readonly { type: EventType; occurredAt: Date }[]): DeliveryStatus {
  let latest: { type: EventType; occurredAt: Date } | null = null;
  for (const event of events) {
    if (
      latest === null ||
      event.occurredAt.getTime() > latest.occurredAt.getTime() ||
      (event.occurredAt.getTime() === latest.occurredAt.getTime() &&
        progress[event.type] > progress[latest.type])
    ) {
      latest = event;
    }
  }
  return latest?.type ?? 'RECORDED';
}

/** Evidence that the notice reached the person: delivered, opened or acknowledged, or shown in-app / on a banner. */
export function reachedAt(
  channel: string,
  occurredAt: Date,
  events: readonly { type: EventType; occurredAt: Date }[],
): Date | null {
  if (channel === 'IN_APP' || channel === 'WEB_BANNER') return occurredAt;
  const reached = events
    .filter((event) => event.type === 'DELIVERED' || event.type === 'OPENED' || event.type === 'ACKNOWLEDGED')
    .map((event) => event.occurredAt.getTime());
  return reached.length > 0 ? new Date(Math.min(...reached)) : null;
}
