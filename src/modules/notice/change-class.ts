/** What a change to a notice requires of the controller (docs/change-classification.md). */
export type ChangeClass = 'EDITORIAL' | 'RENOTIFY' | 'RECONSENT';

/** How demanding each class is: a version's class is its most demanding reason's. */
export const changeClassRank = { EDITORIAL: 0, RENOTIFY: 1, RECONSENT: 2 } as const satisfies Record<
  ChangeClass,
  number
>;

/** True when `a` asks at least as much of the controller as `b`. */
export function atLeast(a: ChangeClass, b: ChangeClass): boolean {
  return changeClassRank[a] >= changeClassRank[b];
}
