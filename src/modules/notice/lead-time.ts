import { addDays } from '../../lib/time.js';

/**
 * The one lead-time test: the person was first reached at least `days` exact 24-hour days before
 * `startsAt` (the version's effective date for a proof, the instant asked about for eligibility).
 * See docs/eligibility.md (Lead time).
 */
export function leadTimeMet(firstReachedAt: Date, startsAt: Date, days: number): boolean {
  return processingMayStartAt(firstReachedAt, days).getTime() <= startsAt.getTime();
}

/** The earliest instant processing may start for a person first reached at `firstReachedAt`. */
export function processingMayStartAt(firstReachedAt: Date, days: number): Date {
  return addDays(firstReachedAt, days);
}
