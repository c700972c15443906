import type { EventType } from '../notification/notification.policy.js';

/**
 * Why a notification did not reach the person (docs/campaigns.md, "The follow-up list"). Only
 * asked of a notification none of whose events counts as reaching the person.
 */
export type NotReachedReason =
  | 'BOUNCED'
  | 'FAILED'
  | 'NEVER_DISPLAYED'
  | 'NO_DELIVERY_EVENT'
  | 'EVIDENCE_NOT_COUNTED';

/** Channels whose notices are shown on a screen: delivery to a device or page is not enough. */
const displayChannels: readonly string[] = ['IN_APP', 'WEB_BANNER', 'PUSH'];

/** Events that show a notice was on the person's screen. */
const shownEvents: readonly EventType[] = ['DISPLAYED', 'OPENED', 'DISMISSED', 'ACKNOWLEDGED'];

/**
 * The reason, from the event types the notification has (each once): a bounce or a failure
 * first; then, for a notice shown on a screen, that it never was; for any other channel, that
 * nothing came after sending; otherwise events that the controller's reach evidence does not
 * count for the channel (for instance DELIVERED where only ACKNOWLEDGED counts).
 */
export function notReachedReason(channel: string, types: readonly EventType[]): NotReachedReason {
  if (types.includes('BOUNCED')) return 'BOUNCED';
  if (types.includes('FAILED')) return 'FAILED';
  if (displayChannels.includes(channel)) {
    if (!types.some((type) => shownEvents.includes(type))) return 'NEVER_DISPLAYED';
  } else if (types.every((type) => type === 'SENT')) return 'NO_DELIVERY_EVENT';
  return 'EVIDENCE_NOT_COUNTED';
}
