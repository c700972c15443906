/** The campaign figures that have milestones, and the shares of the planned size that are one. */
export const milestoneMetrics = ['RECORDED', 'DELIVERED'] as const;
export const milestonePercents = [25, 50, 75, 100] as const;

export type MilestoneMetric = (typeof milestoneMetrics)[number];

export interface Milestone {
  readonly metric: MilestoneMetric;
  readonly percent: number;
  readonly count: number;
}

/**
 * Every milestone a count has reached: `count / plannedSize ≥ percent %`, in integers. A campaign
 * without a planned size has none. Which of them were already announced is the feed's business.
 */
export function milestonesReached(metric: MilestoneMetric, count: number, plannedSize: number): Milestone[] {
  if (plannedSize <= 0) return [];
  return milestonePercents
    .filter((percent) => count * 100 >= percent * plannedSize)
    .map((percent) => ({ metric, percent, count }));
}
