/**
 * Which version of a notice is in force at an instant — the one rule every reader uses: a
 * published or retired version (it has a number) that is effective by then (`effectiveFrom <= at`)
 * and not retired by then (`retiredAt` null or after `at`); of several, the latest
 * `effectiveFrom`, then the highest number. `versionInForce` applies it to loaded rows,
 * `inForceWhere` and `inForceOrder` make the database apply it.
 */
export interface InForceCandidate {
  readonly number: number | null;
  readonly effectiveFrom: Date;
  readonly retiredAt: Date | null;
}

export function versionInForce<T extends InForceCandidate>(versions: readonly T[], at: Date): T | null {
  const time = at.getTime();
  let found: T | null = null;
  for (const version of versions) {
    if (version.number === null || version.effectiveFrom.getTime() > time) continue;
    if (version.retiredAt !== null && version.retiredAt.getTime() <= time) continue;
    if (found === null || laterInForce(version, found)) found = version;
  }
  return found;
}

function laterInForce(a: InForceCandidate, b: InForceCandidate): boolean {
  const diff = a.effectiveFrom.getTime() - b.effectiveFrom.getTime();
  return diff > 0 || (diff === 0 && (a.number ?? 0) > (b.number ?? 0));
}

/** The same rule as a Prisma filter on NoticeVersion; combine with the notice (and tenant) filter. */
export function inForceWhere(at: Date) {
  return {
    number: { not: null },
    effectiveFrom: { lte: at },
    OR: [{ retiredAt: null }, { retiredAt: { gt: at } }],
  };
}

/** The order that puts the version in force first (take 1). */
export const inForceOrder = [{ effectiveFrom: 'desc' as const }, { number: 'desc' as const }];

/**
 * The upcoming version at `at`: a published (not retired) version that takes effect later, the
 * soonest, then the lowest number — the "changes coming" version. `upcomingWhere` and
 * `upcomingOrder` make the database apply it; `versionUpcoming` applies it to loaded rows.
 */
export function upcomingWhere(at: Date) {
  return { status: 'PUBLISHED' as const, effectiveFrom: { gt: at } };
}

export const upcomingOrder = [{ effectiveFrom: 'asc' as const }, { number: 'asc' as const }];

export function versionUpcoming<T extends InForceCandidate & { readonly status: string }>(
  versions: readonly T[],
  at: Date,
): T | null {
  const time = at.getTime();
  let found: T | null = null;
  for (const version of versions) {
    if (version.status !== 'PUBLISHED' || version.effectiveFrom.getTime() <= time) continue;
    if (found === null || earlierUpcoming(version, found)) found = version;
  }
  return found;
}

function earlierUpcoming(a: InForceCandidate, b: InForceCandidate): boolean {
  const diff = a.effectiveFrom.getTime() - b.effectiveFrom.getTime();
  return diff < 0 || (diff === 0 && (a.number ?? 0) < (b.number ?? 0));
}
