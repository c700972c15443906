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
