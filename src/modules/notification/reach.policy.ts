import type { EventType } from './notification.policy.js';

export type Channel = 'EMAIL' | 'IN_APP' | 'PUSH' | 'SMS' | 'POSTAL' | 'WEB_BANNER' | 'OTHER';

/** Per channel, the event types that show a notification reached the person. */
export type ReachEvidence = Readonly<Record<Channel, readonly EventType[]>>;

/** Event types that can never show reach: sending is not reaching, a bounce or failure is the opposite. */
export const notReachEvents: readonly EventType[] = ['SENT', 'BOUNCED', 'FAILED'];

/**
 * The defaults (docs/eligibility.md, "Reached"): a message is reached when delivered; something
 * shown inside an app or on a page only when it was displayed (or the person acted on it), never
 * merely because it was sent. An opening (tracking pixel) counts but is never required.
 */
export const defaultReachEvidence: ReachEvidence = {
  EMAIL: ['DELIVERED', 'OPENED', 'ACKNOWLEDGED'],
  SMS: ['DELIVERED', 'ACKNOWLEDGED'],
  POSTAL: ['DELIVERED', 'ACKNOWLEDGED'],
  PUSH: ['DISPLAYED', 'OPENED', 'ACKNOWLEDGED'],
  IN_APP: ['DISPLAYED', 'OPENED', 'ACKNOWLEDGED', 'DISMISSED'],
  WEB_BANNER: ['DISPLAYED', 'OPENED', 'ACKNOWLEDGED', 'DISMISSED'],
  OTHER: ['DELIVERED', 'DISPLAYED', 'ACKNOWLEDGED'],
};

/** The controller's setting (partial, per channel) over the defaults; null or absent channels keep them. */
export function reachEvidence(setting: unknown): ReachEvidence {
  if (setting === null || typeof setting !== 'object' || Array.isArray(setting)) return defaultReachEvidence;
  const merged: Record<string, readonly EventType[]> = { ...defaultReachEvidence };
  for (const [channel, types] of Object.entries(setting as Record<string, unknown>)) {
    if (channel in defaultReachEvidence && Array.isArray(types)) merged[channel] = types as EventType[];
  }
  return merged as ReachEvidence;
}

/** Every (channel, event type) pair that shows reach under `rules`: the form the SQL paths take. */
export function countingPairs(rules: ReachEvidence): [Channel, EventType][] {
  return (Object.keys(rules) as Channel[]).flatMap((channel) =>
    rules[channel].map((type): [Channel, EventType] => [channel, type]),
  );
}

/** When a notification first reached the person under `rules`, from its events; null if it did not. */
export function reachedAt(
  channel: string,
  events: readonly { type: EventType; occurredAt: Date }[],
  rules: ReachEvidence = defaultReachEvidence,
): Date | null {
  const counting = rules[channel as Channel] ?? [];
  let first: number | null = null;
  for (const event of events) {
    if (!counting.includes(event.type)) continue;
    const time = event.occurredAt.getTime();
    if (first === null || time < first) first = time;
  }
  return first === null ? null : new Date(first);
}

/**
 * How strong the evidence is that one notification reached the person, strongest first:
 * the person acknowledged it; it was shown (displayed or opened); it was delivered; it was only
 * sent; it bounced or failed; nothing but the record of the notification itself.
 */
export type EvidenceStrength =
  | 'ACKNOWLEDGED'
  | 'SEEN'
  | 'DELIVERED'
  | 'SENT_ONLY'
  | 'NOT_DELIVERED'
  | 'RECORDED_ONLY';

export function evidenceStrength(events: readonly { type: EventType }[]): EvidenceStrength {
  const has = (...types: EventType[]) => events.some((event) => types.includes(event.type));
  if (has('ACKNOWLEDGED')) return 'ACKNOWLEDGED';
  if (has('DISPLAYED', 'OPENED', 'DISMISSED')) return 'SEEN';
  if (has('DELIVERED')) return 'DELIVERED';
  if (has('BOUNCED', 'FAILED')) return 'NOT_DELIVERED';
  if (has('SENT')) return 'SENT_ONLY';
  return 'RECORDED_ONLY';
}
