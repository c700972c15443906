import { type EventType, reachedAt } from '../notification/notification.policy.js';
import { purposeState, type ResponseFact, type ResponseKind } from '../subject/subject.policy.js';

export type LegalBasis =
  | 'CONSENT'
  | 'CONTRACT'
  | 'LEGAL_OBLIGATION'
  | 'VITAL_INTERESTS'
  | 'PUBLIC_TASK'
  | 'LEGITIMATE_INTERESTS';
export type ChangeClass = 'EDITORIAL' | 'RENOTIFY' | 'RECONSENT';
export type EligibilityDecision = 'ALLOWED' | 'DENIED';

export const allowingRules = ['CONSENT_GIVEN', 'LEGITIMATE_INTERESTS_NOTIFIED', 'NOTIFIED'] as const;
export const denyingRules = [
  'SUBJECT_ERASED',
  'PURPOSE_ARCHIVED',
  'PURPOSE_NOT_IN_FORCE',
  'CONSENT_MISSING',
  'CONSENT_WITHDRAWN',
  'CONSENT_OUTDATED',
  'CONSENT_LAPSED',
  'OBJECTED',
  'NO_VERSION_IN_FORCE',
  'NOT_NOTIFIED',
  'NOT_REACHED',
  'LEAD_TIME_NOT_MET',
] as const;
export type EligibilityRule = (typeof allowingRules)[number] | (typeof denyingRules)[number];

/** The purpose revision in force at the instant asked about. */
export interface RevisionFact {
  readonly id: string;
  readonly number: number;
  readonly createdAt: Date;
  readonly legalBasis: LegalBasis;
  readonly consentValidityDays: number | null;
}

/** A published (or retired) version of a notice that covers, or once covered, the purpose. */
export interface VersionFact {
  readonly id: string;
  readonly noticeId: string;
  readonly noticeKey: string;
  readonly number: number;
  readonly effectiveFrom: Date;
  readonly publishedAt: Date;
  readonly retiredAt: Date | null;
  /** The purpose revision this version pinned; null when the version does not cover the purpose. */
  readonly pinned: { readonly revisionId: string; readonly legalBasis: LegalBasis } | null;
  /** The most demanding classification reason about this purpose against the previous version. */
  readonly purposeChange: ChangeClass;
}

/** Everything about the purpose (not the subject) that a decision at `at` depends on. */
export interface PurposeContext {
  readonly purposeId: string;
  readonly purposeKey: string;
  readonly at: Date;
  /** Only if archived at or before `at`. */
  readonly archivedAt: Date | null;
  readonly revision: RevisionFact | null;
  readonly minimumNoticeDays: number;
  /** Every published version of every notice that has a published version covering the purpose. */
  readonly versions: readonly VersionFact[];
}

/** The version-level part of the rules: which versions count, independent of any subject. */
export interface VersionRules {
  /** Per notice, its version in force at `at`, when that covers the purpose under the current legal basis. */
  readonly inForce: readonly VersionFact[];
  /** LEGITIMATE_INTERESTS: versions whose notification counts, mapped to the in-force version they count for. */
  readonly notifiable: ReadonlyMap<string, VersionFact>;
  /** CONSENT: versions against which a consent is still a consent to the purpose in its current form. */
  readonly consentCurrent: ReadonlySet<string>;
  /** Other bases: every published version that covers the purpose. */
  readonly covering: ReadonlySet<string>;
}

export interface NotificationFact {
  readonly id: string;
  readonly versionId: string;
  readonly channel: string;
  readonly occurredAt: Date;
  readonly events: readonly {
    readonly id: string;
    readonly type: EventType;
    readonly occurredAt: Date;
  }[];
}

export interface SubjectResponseFact extends ResponseFact {
  readonly versionId: string | null;
}

/** The subject's records about the purpose: its responses and its notifications with their events. */
export interface SubjectFacts {
  /** When the subject was erased (Art. 17), if it was. */
  readonly erasedAt: Date | null;
  readonly responses: readonly SubjectResponseFact[];
  readonly notifications: readonly NotificationFact[];
}

export interface EligibilityEvidence {
  readonly versionId: string | null;
  readonly notificationId: string | null;
  readonly eventId: string | null;
  readonly responseId: string | null;
}

export interface Eligibility {
  readonly decision: EligibilityDecision;
  readonly rule: EligibilityRule;
  readonly legalBasis: LegalBasis | null;
  readonly revisionId: string | null;
  readonly evidence: EligibilityEvidence;
  readonly explanation: string;
}

const dayMs = 24 * 60 * 60 * 1000;
const rank: Record<ChangeClass, number> = { EDITORIAL: 0, RENOTIFY: 1, RECONSENT: 2 };
const none: EligibilityEvidence = { versionId: null, notificationId: null, eventId: null, responseId: null };

/** Bases under which a person may object (Art. 21(1): points (e) and (f) of Art. 6(1)). */
export const objectionBases: readonly LegalBasis[] = ['LEGITIMATE_INTERESTS', 'PUBLIC_TASK'];

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
    if (found in rank && rank[found] > rank[change]) change = found;
  }
  return change;
}

function iso(date: Date): string {
  return date.toISOString();
}

function label(version: VersionFact): string {
  return `${version.noticeKey} #${version.number}`;
}

/** The version of one notice in force at `at`: effective by then, not retired by then; latest effective wins. */
function versionInForce(versions: readonly VersionFact[], at: Date): VersionFact | null {
  let found: VersionFact | null = null;
  for (const version of versions) {
    if (version.effectiveFrom.getTime() > at.getTime()) continue;
    if (version.retiredAt !== null && version.retiredAt.getTime() <= at.getTime()) continue;
    if (
      found === null ||
      version.effectiveFrom.getTime() > found.effectiveFrom.getTime() ||
      (version.effectiveFrom.getTime() === found.effectiveFrom.getTime() && version.number > found.number)
    )
      found = version;
  }
  return found;
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
    if (!earlier || earlier.pinned === null || rank[later.purposeChange] >= rank[limit]) return chain;
    chain.push(earlier);
    later = earlier;
  }
}

export function versionRules(context: PurposeContext): VersionRules {
  const notices = new Map<string, VersionFact[]>();
  for (const version of context.versions) {
    const list = notices.get(version.noticeId) ?? [];
    list.push(version);
    notices.set(version.noticeId, list);
  }
  const revision = context.revision;
  const inForce: VersionFact[] = [];
  const notifiable = new Map<string, VersionFact>();
  const consentCurrent = new Set<string>();
  const covering = new Set<string>();
  for (const versions of notices.values()) {
    const byNumber = new Map(versions.map((version) => [version.number, version]));
    for (const version of versions) if (version.pinned !== null) covering.add(version.id);

    const current = versionInForce(versions, context.at);
    if (current?.pinned && revision && current.pinned.legalBasis === revision.legalBasis) {
      inForce.push(current);
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
  inForce.sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime() || compareIds(a.id, b.id));
  return { inForce, notifiable, consentCurrent, covering };
}

/**
 * Responses ordered so that subject.policy's `purposeState` (the latest answer by time decides,
 * the later one in the list among equal times) resolves ties the way the bulk SQL does: a
 * withdrawal of consent beats a consent, an objection beats its withdrawal, then the greater ID.
 */
const tieRank: Record<ResponseKind, number> = {
  CONSENT_GIVEN: 0,
  CONSENT_WITHDRAWN: 1,
  OBJECTION_WITHDRAWN: 0,
  OBJECTED: 1,
};

function inDecisionOrder<T extends SubjectResponseFact>(responses: readonly T[]): T[] {
  return [...responses].sort(
    (a, b) =>
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      tieRank[a.kind] - tieRank[b.kind] ||
      compareIds(a.id, b.id),
  );
}

interface Reach {
  readonly notification: NotificationFact;
  readonly at: Date | null;
  readonly eventId: string | null;
}

function reach(notification: NotificationFact, at: Date): Reach {
  const events = notification.events.filter((event) => event.occurredAt.getTime() <= at.getTime());
  const reached = reachedAt(notification.channel, notification.occurredAt, events);
  const event =
    reached === null || notification.channel === 'IN_APP' || notification.channel === 'WEB_BANNER'
      ? null
      : (events
          .filter(
            (candidate) =>
              candidate.occurredAt.getTime() === reached.getTime() &&
              (candidate.type === 'DELIVERED' ||
                candidate.type === 'OPENED' ||
                candidate.type === 'ACKNOWLEDGED'),
          )
          .sort((a, b) => compareIds(a.id, b.id))[0] ?? null);
  return { notification, at: reached, eventId: event?.id ?? null };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byTimeThenId(a: { time: number; id: string }, b: { time: number; id: string }): number {
  return a.time - b.time || compareIds(a.id, b.id);
}

function allowed(
  rule: EligibilityRule,
  revision: RevisionFact,
  evidence: EligibilityEvidence,
  explanation: string,
): Eligibility {
  return {
    decision: 'ALLOWED',
    rule,
    legalBasis: revision.legalBasis,
    revisionId: revision.id,
    evidence,
    explanation,
  };
}

function denied(
  rule: EligibilityRule,
  revision: RevisionFact | null,
  evidence: EligibilityEvidence,
  explanation: string,
): Eligibility {
  return {
    decision: 'DENIED',
    rule,
    legalBasis: revision?.legalBasis ?? null,
    revisionId: revision?.id ?? null,
    evidence,
    explanation,
  };
}

/**
 * May the subject's data be processed for the purpose at `context.at`? Pure: every rule is
 * applied here, to the records as of `at` (records that happened later are ignored). The rules
 * are documented in docs/eligibility.md; the bulk SQL in eligibility.sql.ts must agree.
 */
export function decideEligibility(
  context: PurposeContext,
  rules: VersionRules,
  facts: SubjectFacts,
): Eligibility {
  const { at, revision } = context;
  const atTime = at.getTime();
  if (facts.erasedAt !== null && facts.erasedAt.getTime() <= atTime) {
    return denied('SUBJECT_ERASED', revision, none, `The subject was erased on ${iso(facts.erasedAt)}.`);
  }
  if (context.archivedAt !== null && context.archivedAt.getTime() <= atTime) {
    return denied(
      'PURPOSE_ARCHIVED',
      revision,
      none,
      `Purpose ${context.purposeKey} was archived on ${iso(context.archivedAt)}.`,
    );
  }
  if (revision === null) {
    return denied(
      'PURPOSE_NOT_IN_FORCE',
      null,
      none,
      `Purpose ${context.purposeKey} had no revision yet at ${iso(at)}.`,
    );
  }
  const versions = new Map(context.versions.map((version) => [version.id, version]));
  const responses = inDecisionOrder(facts.responses);
  const state = purposeState(responses, revision.consentValidityDays, at);
  const responseVersion = (id: string | null) =>
    responses.find((response) => response.id === id)?.versionId ?? null;

  if (revision.legalBasis === 'CONSENT') {
    const response = state.consentResponse;
    const evidence = {
      ...none,
      responseId: response?.id ?? null,
      versionId: responseVersion(response?.id ?? null),
    };
    if (state.consent === 'NONE' || response === null) {
      return denied(
        'CONSENT_MISSING',
        revision,
        none,
        `No consent to ${context.purposeKey} recorded by ${iso(at)}.`,
      );
    }
    if (state.consent === 'WITHDRAWN') {
      return denied(
        'CONSENT_WITHDRAWN',
        revision,
        evidence,
        `Consent withdrawn on ${iso(response.occurredAt)}.`,
      );
    }
    const versionId = evidence.versionId;
    const current =
      versionId === null
        ? response.occurredAt.getTime() >= revision.createdAt.getTime()
        : rules.consentCurrent.has(versionId);
    if (!current) {
      const version = versionId ? versions.get(versionId) : undefined;
      const given = version ? `for ${label(version)}` : 'without naming a version';
      return denied(
        'CONSENT_OUTDATED',
        revision,
        evidence,
        `Consent given on ${iso(response.occurredAt)} ${given} does not cover revision ${revision.number} of ${context.purposeKey}, in force since ${iso(revision.createdAt)}.`,
      );
    }
    if (state.consent === 'LAPSED') {
      return denied(
        'CONSENT_LAPSED',
        revision,
        evidence,
        `Consent given on ${iso(response.occurredAt)} lapsed on ${iso(state.consentExpiresAt!)} (valid ${revision.consentValidityDays} days).`,
      );
    }
    return allowed(
      'CONSENT_GIVEN',
      revision,
      evidence,
      `Consent given on ${iso(response.occurredAt)} and neither withdrawn nor lapsed.`,
    );
  }

  const objection = state.objectionResponse;
  if (objectionBases.includes(revision.legalBasis) && state.objection === 'STANDING' && objection !== null) {
    return denied(
      'OBJECTED',
      revision,
      { ...none, responseId: objection.id, versionId: rules.inForce[0]?.id ?? null },
      `Objection recorded on ${iso(objection.occurredAt)} and not withdrawn.`,
    );
  }
  const notifications = facts.notifications.filter(
    (notification) => notification.occurredAt.getTime() <= atTime,
  );
  const objectionEvidence = objectionBases.includes(revision.legalBasis) ? (objection?.id ?? null) : null;

  if (revision.legalBasis !== 'LEGITIMATE_INTERESTS') {
    const first = notifications
      .filter((notification) => rules.covering.has(notification.versionId))
      .sort((a, b) =>
        byTimeThenId({ time: a.occurredAt.getTime(), id: a.id }, { time: b.occurredAt.getTime(), id: b.id }),
      )[0];
    if (!first) {
      return denied(
        'NOT_NOTIFIED',
        revision,
        { ...none, responseId: objectionEvidence },
        `Never notified of a version covering ${context.purposeKey}.`,
      );
    }
    const version = versions.get(first.versionId)!;
    return allowed(
      'NOTIFIED',
      revision,
      { ...none, versionId: version.id, notificationId: first.id, responseId: objectionEvidence },
      `Notified of ${label(version)} on ${iso(first.occurredAt)} (legal basis ${revision.legalBasis}).`,
    );
  }

  const inForce = rules.inForce[0];
  if (!inForce) {
    return denied(
      'NO_VERSION_IN_FORCE',
      revision,
      { ...none, responseId: objectionEvidence },
      `No notice version in force at ${iso(at)} covers ${context.purposeKey} under legitimate interests.`,
    );
  }
  const candidates = notifications.filter((notification) => rules.notifiable.has(notification.versionId));
  if (candidates.length === 0) {
    return denied(
      'NOT_NOTIFIED',
      revision,
      { ...none, versionId: inForce.id, responseId: objectionEvidence },
      `Not notified of ${label(inForce)} (in force) or of an earlier version that said the same about ${context.purposeKey}.`,
    );
  }
  const reached = candidates
    .map((notification) => reach(notification, at))
    .filter((item): item is Reach & { at: Date } => item.at !== null)
    .sort((a, b) =>
      byTimeThenId(
        { time: a.at.getTime(), id: a.notification.id },
        { time: b.at.getTime(), id: b.notification.id },
      ),
    );
  const best = reached[0];
  if (!best) {
    const latest = [...candidates].sort((a, b) =>
      byTimeThenId({ time: b.occurredAt.getTime(), id: b.id }, { time: a.occurredAt.getTime(), id: a.id }),
    )[0]!;
    const lastEvent = [...latest.events]
      .filter((event) => event.occurredAt.getTime() <= atTime)
      .sort((a, b) =>
        byTimeThenId({ time: b.occurredAt.getTime(), id: b.id }, { time: a.occurredAt.getTime(), id: a.id }),
      )[0];
    return denied(
      'NOT_REACHED',
      revision,
      {
        versionId: rules.notifiable.get(latest.versionId)!.id,
        notificationId: latest.id,
        eventId: lastEvent?.id ?? null,
        responseId: objectionEvidence,
      },
      `Notified ${candidates.length} time(s), but no delivery, opening or acknowledgement recorded by ${iso(at)}${lastEvent ? ` (latest event: ${lastEvent.type})` : ''}.`,
    );
  }
  const evidence = {
    versionId: rules.notifiable.get(best.notification.versionId)!.id,
    notificationId: best.notification.id,
    eventId: best.eventId,
    responseId: objectionEvidence,
  };
  const startsAt = new Date(best.at.getTime() + context.minimumNoticeDays * dayMs);
  if (startsAt.getTime() > atTime) {
    return denied(
      'LEAD_TIME_NOT_MET',
      revision,
      evidence,
      `First reached on ${iso(best.at)}; the notice period is ${context.minimumNoticeDays} days, so processing may start on ${iso(startsAt)}.`,
    );
  }
  const notified = versions.get(best.notification.versionId)!;
  return allowed(
    'LEGITIMATE_INTERESTS_NOTIFIED',
    revision,
    evidence,
    `Reached on ${iso(best.at)} with ${label(notified)}, at least ${context.minimumNoticeDays} days before; no standing objection.`,
  );
}
