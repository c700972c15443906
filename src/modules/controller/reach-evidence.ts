import { channels, eventTypes } from '../notification/notification.validation.js';
import { type Channel, reachEvidence } from '../notification/reach.policy.js';
import {
  type ReachEvidenceChange,
  type ReachEvidenceSetting,
  reachEvidenceSetting,
} from './controller.validation.js';

/** One channel's rule as the API shows it: the event types that count, and whether the controller set them. */
export interface ChannelReachEvidence {
  readonly channel: Channel;
  readonly eventTypes: readonly (typeof eventTypes)[number][];
  readonly custom: boolean;
}

/** The stored setting (validated when written); anything unreadable counts as no setting. */
export function storedReachEvidence(value: unknown): ReachEvidenceSetting {
  const parsed = reachEvidenceSetting.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}

/** Event types in enum order, so that the same set is always stored (and shown) the same way. */
function canonical(types: readonly (typeof eventTypes)[number][]) {
  return eventTypes.filter((type) => types.includes(type));
}

/** A setting as given (the CLI), in canonical form; null when it names no channel. */
export function canonicalReachEvidence(setting: ReachEvidenceSetting): ReachEvidenceSetting | null {
  return changedReachEvidence(
    null,
    channels.flatMap((channel) => {
      const types = setting[channel];
      return types ? [{ channel, eventTypes: types }] : [];
    }),
  );
}

/**
 * The setting after a change: a channel given with event types takes them, one given with null
 * goes back to the default, the others stay as they were. Null when no channel is set any more.
 */
export function changedReachEvidence(
  stored: unknown,
  changes: readonly ReachEvidenceChange[],
): ReachEvidenceSetting | null {
  const next: ReachEvidenceSetting = { ...storedReachEvidence(stored) };
  for (const change of changes) {
    if (change.eventTypes == null) delete next[change.channel];
    else next[change.channel] = canonical(change.eventTypes);
  }
  return Object.keys(next).length === 0 ? null : next;
}

/** The effective rule of every channel, in enum order: the controller's setting over the defaults. */
export function effectiveReachEvidence(stored: unknown): ChannelReachEvidence[] {
  const setting = storedReachEvidence(stored);
  const effective = reachEvidence(setting);
  return channels.map((channel) => ({
    channel,
    eventTypes: canonical(effective[channel]),
    custom: setting[channel] !== undefined,
  }));
}
