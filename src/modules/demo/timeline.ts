import { addDays } from '../../lib/time.js';

/**
 * The demo's history, on fixed instants (UTC), so that every demo holds the same records: the
 * same subjects, dates and content hashes. Only the upcoming version's start depends on the day
 * the demo is created, so that it is still upcoming then (docs/decisions/0028-demo-data.md).
 */
export const demoTimeline = {
  /** The controller's first notice: service operation and the newsletter. */
  firstPublication: new Date('2025-01-06T09:00:00Z'),
  firstEffective: new Date('2025-02-04T00:00:00Z'),
  /** People subscribe to the newsletter under version 1. */
  newsletterConsents: new Date('2025-03-03T10:00:00Z'),
  /** Version 2: a reworded contact section, signed off as not material (EDITORIAL). */
  editorialPublication: new Date('2025-06-02T09:00:00Z'),
  someWithdraw: new Date('2025-09-01T12:00:00Z'),
  /** Version 3 adds AI training on public posts (legitimate interests, right to object). */
  aiPublication: new Date('2025-10-06T09:00:00Z'),
  aiEffective: new Date('2025-11-10T00:00:00Z'),
  /** Everybody is told of version 3 by e-mail, over five days. */
  aiNotifications: new Date('2025-10-13T08:00:00Z'),
  aiObjections: new Date('2025-10-20T18:00:00Z'),
  /** Both purposes change: AI training with a research partner, the newsletter personalised. */
  purposeRevisions: new Date('2026-11-02T09:00:00Z'),
  /** Version 4, published with a campaign, in force later. */
  upcomingPublication: new Date('2026-11-16T09:00:00Z'),
  upcomingEffectiveAtLeast: new Date('2027-01-11T00:00:00Z'),
  /** The campaign's notifications, over ten days, and what people answered. */
  campaignStart: new Date('2026-11-17T08:00:00Z'),
  campaignAnswers: new Date('2026-11-20T17:00:00Z'),
  campaignLateAnswers: new Date('2026-11-26T17:00:00Z'),
} as const;

/** Version 4 takes effect at the later of its planned date and 30 days after the demo's creation. */
export function upcomingEffectiveFrom(now: Date): Date {
  const startOfDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const soonest = addDays(startOfDay, 30);
  return soonest > demoTimeline.upcomingEffectiveAtLeast ? soonest : demoTimeline.upcomingEffectiveAtLeast;
}
