import { type ChangeClass, changeClassRank } from '../notice/change-class.js';
import { versionInForce } from '../notice/in-force.policy.js';
import type { EligibilitySettings, PurposeContext, RevisionFact, VersionFact } from './eligibility.facts.js';

/** The lead time applied for one version in force, and where it came from. */
export interface LeadTime {
  readonly days: number;
  /** True when frozen (on the version at publication, or stored with a manifest); false: the controller's setting. */
  readonly frozen: boolean;
}

/** The purpose-level part of the rules: which versions count, independent of any subject. */
export interface PurposeRules {
  /** Per notice, its version in force at `at` when that covers the purpose (any revision), latest effective first. */
  readonly inForce: readonly VersionFact[];
  /** Those of `inForce` that pin the revision in force (R) itself. */
  readonly describingRevision: readonly VersionFact[];
  /** LEGITIMATE_INTERESTS: versions whose notification counts, mapped to the version describing R they count for. */
  readonly notifiable: ReadonlyMap<string, VersionFact>;
  /** LEGITIMATE_INTERESTS: the lead time of each version in `describingRevision`, by version ID. */
  readonly leadTimes: ReadonlyMap<string, LeadTime>;
  /** CONSENT: versions against which a consent is still a consent to the purpose in its current form. */
  readonly consentCurrent: ReadonlySet<string>;
  /** Every published version that covers the purpose (transparency). */
  readonly covering: ReadonlySet<string>;
  /** When R is not CONSENT but an earlier revision was: the first revision after the last CONSENT one. */
  readonly consentSwitch: RevisionFact | null;
}

/**
 * How a version changed a purpose, from its stored classification reasons: the most demanding
 * reason naming the purpose, EDITORIAL when none does. Without stored reasons the version's own
 * class is taken, and without that, the most demanding one.
 */
export function purposeChange(
  purposeKey: string,
  classification: ChangeClass | null,
  reasons: unknown,
): ChangeClass {
  if (!Array.isArray(reasons)) return classification ?? 'RECONSENT';
  let change: ChangeClass = 'EDITORIAL';
  for (const reason of reasons as { purposeKey?: unknown; classification?: unknown }[]) {
    if (reason?.purposeKey !== purposeKey) continue;
    const found = reason.classification as ChangeClass;
    if (found in changeClassRank && changeClassRank[found] > changeClassRank[change]) change = found;
  }
  return change;
}

/**
 * The switch away from consent: when R is not CONSENT and an earlier revision was, the first
 * revision after the last CONSENT one (EDPB Guidelines 05/2020, §§ 121–123). Revisions by number, R last.
 */
export function consentSwitch(revisions: readonly RevisionFact[]): RevisionFact | null {
  const current = revisions.at(-1);
  if (!current || current.legalBasis === 'CONSENT') return null;
  const lastConsent = revisions.findLastIndex((revision) => revision.legalBasis === 'CONSENT');
  return lastConsent === -1 ? null : revisions[lastConsent + 1]!;
}

/** The lead time of a version in force: stored with a manifest, else frozen at publication, else the controller's. */
export function leadTimeOf(version: VersionFact, settings: EligibilitySettings): LeadTime {
  const stored = settings.leadTimes?.get(version.id);
  if (stored !== undefined) return { days: stored, frozen: true };
  if (version.minimumNoticeDays !== null) return { days: version.minimumNoticeDays, frozen: true };
  return { days: settings.minimumNoticeDays, frozen: false };
}

/**
 * Walks back from `to` through the versions of its notice while every step keeps covering the
 * purpose and changes it less than `limit`: the versions returned (including `to`) tell the
 * person nothing about the purpose that `limit` would require telling them again.
 */
function unchangedSince(
  byNumber: ReadonlyMap<number, VersionFact>,
  to: VersionFact,
  limit: ChangeClass,
): VersionFact[] {
  const chain = [to];
  let later = to;
  for (;;) {
    const earlier = byNumber.get(later.number - 1);
    if (!earlier || earlier.pinned === null || changeClassRank[later.purposeChange] >= changeClassRank[limit])
      return chain;
    chain.push(earlier);
    later = earlier;
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function purposeRules(context: PurposeContext): PurposeRules {
  const notices = new Map<string, VersionFact[]>();
  for (const version of context.versions) {
    const list = notices.get(version.noticeId) ?? [];
    list.push(version);
    notices.set(version.noticeId, list);
  }
  const revision = context.revision;
  const inForce: VersionFact[] = [];
  const describingRevision: VersionFact[] = [];
  const notifiable = new Map<string, VersionFact>();
  const leadTimes = new Map<string, LeadTime>();
  const consentCurrent = new Set<string>();
  const covering = new Set<string>();
  for (const versions of notices.values()) {
    const byNumber = new Map(versions.map((version) => [version.number, version]));
    for (const version of versions) if (version.pinned !== null) covering.add(version.id);

    const current = versionInForce(versions, context.at);
    if (current?.pinned) inForce.push(current);
    if (current?.pinned && revision && current.pinned.revisionId === revision.id) {
      describingRevision.push(current);
      if (revision.legalBasis === 'LEGITIMATE_INTERESTS')
        leadTimes.set(current.id, leadTimeOf(current, context.settings));
      for (const version of unchangedSince(byNumber, current, 'RENOTIFY'))
        notifiable.set(version.id, current);
    }

    if (revision) {
      for (const version of versions) {
        if (
          version.pinned?.revisionId !== revision.id ||
          version.publishedAt.getTime() > context.at.getTime()
        )
          continue;
        for (const earlier of unchangedSince(byNumber, version, 'RECONSENT')) consentCurrent.add(earlier.id);
      }
    }
  }
  const latestFirst = (a: VersionFact, b: VersionFact) =>
    b.effectiveFrom.getTime() - a.effectiveFrom.getTime() || compareIds(a.id, b.id);
  inForce.sort(latestFirst);
  describingRevision.sort(latestFirst);
  return {
    inForce,
    describingRevision,
    notifiable,
    leadTimes,
    consentCurrent,
    covering,
    consentSwitch: consentSwitch(context.revisions),
  };
}
