/**
 * The retention schedule of proof records (docs/retention.md, "The decision table"), for one
 * person: pure. `retention.sql.ts` applies the same rules to every subject at once.
 */

export type RetentionRule = 'NO_SCHEDULE' | 'WITHIN_RETENTION' | 'LEGAL_HOLD' | 'OBJECTION_PENDING' | 'DUE';

/** KEEP: not due. HOLD: due by time, kept for a reason and reported. PURGE: deleted by the job. */
export type RetentionVerdict = 'KEEP' | 'HOLD' | 'PURGE';

export const ruleVerdicts: Record<RetentionRule, RetentionVerdict> = {
  NO_SCHEDULE: 'KEEP',
  WITHIN_RETENTION: 'KEEP',
  LEGAL_HOLD: 'HOLD',
  OBJECTION_PENDING: 'HOLD',
  DUE: 'PURGE',
};

export interface RetentionFacts {
  /** The latest of the person's processing dates (lastProcessing below). */
  readonly lastProcessing: Date;
  /** An open regulator request names the person (legal-hold.ts). */
  readonly namedInOpenRequest: boolean;
  /** One of the person's objection cases is still OPEN. */
  readonly openObjection: boolean;
}

export interface ProcessingDates {
  readonly subjectCreatedAt: Date;
  readonly notifications: readonly Date[];
  readonly events: readonly Date[];
  readonly responses: readonly Date[];
  /** decidedAt of the person's decided objection cases. */
  readonly decisions: readonly Date[];
}

/**
 * The person's last processing: the latest `occurredAt` of their notifications, those
 * notifications' delivery events and their responses, and the latest decision on one of their
 * objection cases. A subject without any record (none is kept for long) counts from its creation.
 */
export function lastProcessing(dates: ProcessingDates): Date {
  const all = [...dates.notifications, ...dates.events, ...dates.responses, ...dates.decisions];
  if (all.length === 0) return dates.subjectCreatedAt;
  return new Date(Math.max(...all.map((date) => date.getTime())));
}

/**
 * `now` minus `months` calendar months in UTC, at the same time of day; a day the earlier month
 * does not have becomes its last day (31 August − 6 months = 28 or 29 February).
 */
export function retentionCutoff(now: Date, months: number): Date {
  const target = new Date(now.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(now.getUTCDate(), lastDay));
  return target;
}

/**
 * The first rule that applies decides. Records are due when the last processing is strictly
 * before the cutoff; at the cutoff they are still within the period.
 */
export function decideRetention(
  facts: RetentionFacts,
  retentionMonths: number | null,
  now: Date,
): { readonly rule: RetentionRule; readonly verdict: RetentionVerdict } {
  const rule = ruleFor(facts, retentionMonths, now);
  return { rule, verdict: ruleVerdicts[rule] };
}

function ruleFor(facts: RetentionFacts, retentionMonths: number | null, now: Date): RetentionRule {
  if (retentionMonths === null) return 'NO_SCHEDULE';
  if (facts.lastProcessing.getTime() >= retentionCutoff(now, retentionMonths).getTime())
    return 'WITHIN_RETENTION';
  if (facts.namedInOpenRequest) return 'LEGAL_HOLD';
  if (facts.openObjection) return 'OBJECTION_PENDING';
  return 'DUE';
}
