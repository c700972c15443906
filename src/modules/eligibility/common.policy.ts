import { type ReachEvidence, reachedAt } from '../notification/reach.policy.js';
import { type PurposeState, purposeState, type ResponseKind } from '../subject/subject.policy.js';
import type {
  Eligibility,
  EligibilityEvidence,
  EligibilityRule,
  LegalBasis,
  NotificationFact,
  PurposeContext,
  RevisionFact,
  SubjectFacts,
  SubjectResponseFact,
  VersionFact,
} from './eligibility.facts.js';
import { ruleDecisions } from './eligibility.facts.js';
import type { PurposeRules } from './purpose-rules.js';

/** A decision without its transparency finding (decided separately: transparency.policy.ts). */
export type Verdict = Omit<Eligibility, 'transparency'>;

/** What a per-basis policy decides on: R, the purpose-level rules and the subject's records as of `at`. */
export interface BasisInput {
  readonly context: PurposeContext;
  readonly rules: PurposeRules;
  readonly revision: RevisionFact;
  /** Responses in decision order, notifications that happened by `at`. */
  readonly facts: SubjectFacts;
  /** The latest consent and objection answers at `at`. */
  readonly state: PurposeState;
}

export const none: EligibilityEvidence = {
  versionId: null,
  notificationId: null,
  eventId: null,
  responseId: null,
};

/** Bases under which a person may object (Art. 21(1): points (e) and (f) of Art. 6(1)). */
export const objectionBases: readonly LegalBasis[] = ['LEGITIMATE_INTERESTS', 'PUBLIC_TASK'];

export function iso(date: Date): string {
  return date.toISOString();
}

export function label(version: VersionFact): string {
  return `${version.noticeKey} #${version.number}`;
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byTimeThenId(a: { time: number; id: string }, b: { time: number; id: string }): number {
  return a.time - b.time || compareIds(a.id, b.id);
}

export function verdict(
  rule: EligibilityRule,
  revision: RevisionFact | null,
  evidence: EligibilityEvidence,
  explanation: string,
): Verdict {
  return {
    decision: ruleDecisions[rule],
    rule,
    legalBasis: revision?.legalBasis ?? null,
    revisionId: revision?.id ?? null,
    evidence,
    explanation,
  };
}

/**
 * Responses ordered so that subject.policy's `purposeState` (the latest answer by time decides,
 * the later one in the list among equal times) resolves ties the way the bulk SQL does: a
 * withdrawal of consent beats a consent, an objection beats its withdrawal, then the greater ID.
 */
const tieRank: Record<ResponseKind, number> = {
  CONSENT_GIVEN: 0,
  CONSENT_REFUSED: 1,
  CONSENT_WITHDRAWN: 2,
  OBJECTION_WITHDRAWN: 0,
  OBJECTED: 1,
};

export function inDecisionOrder<T extends SubjectResponseFact>(responses: readonly T[]): T[] {
  return [...responses].sort(
    (a, b) =>
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      tieRank[a.kind] - tieRank[b.kind] ||
      compareIds(a.id, b.id),
  );
}

export interface Reach {
  readonly notification: NotificationFact;
  /** When it first reached the person by `at` under the channel's reach evidence; null if it did not. */
  readonly at: Date | null;
  /** The event that shows it (the earliest counting one; lowest ID among equal times). */
  readonly eventId: string | null;
}

export function reachOf(notification: NotificationFact, at: Date, evidence: ReachEvidence): Reach {
  const events = notification.events.filter((event) => event.occurredAt.getTime() <= at.getTime());
  const reached = reachedAt(notification.channel, events, evidence);
  const counting = evidence[notification.channel as keyof ReachEvidence] ?? [];
  const event =
    reached === null
      ? undefined
      : events
          .filter(
            (candidate) =>
              candidate.occurredAt.getTime() === reached.getTime() && counting.includes(candidate.type),
          )
          .sort((a, b) => compareIds(a.id, b.id))[0];
  return { notification, at: reached, eventId: event?.id ?? null };
}

/** Reached ones only, earliest reach first (then notification ID). */
export function reachedFirst(reaches: readonly Reach[]): (Reach & { at: Date })[] {
  return reaches
    .filter((item): item is Reach & { at: Date } => item.at !== null)
    .sort((a, b) =>
      byTimeThenId(
        { time: a.at.getTime(), id: a.notification.id },
        { time: b.at.getTime(), id: b.notification.id },
      ),
    );
}

/** How an objection's case stands at `at`: a decision made after `at` was not made yet. */
export function objectionOutcomeAt(response: SubjectResponseFact | undefined, at: Date) {
  const decision = response?.objectionDecision ?? null;
  if (decision === null || decision.decidedAt === null || decision.decidedAt.getTime() > at.getTime())
    return { outcome: 'OPEN' as const, decidedAt: null };
  return decision;
}

/**
 * The responses without the objections refused by `at` on compelling legitimate grounds
 * (Art. 21(1)): such an objection does not stand, so the answer before it decides again.
 */
export function notRefusedBy<T extends SubjectResponseFact>(responses: readonly T[], at: Date): T[] {
  return responses.filter(
    (response) => response.kind !== 'OBJECTED' || objectionOutcomeAt(response, at).outcome !== 'REFUSED',
  );
}

/** The standing objection (Art. 21) under a basis that allows one, as a denial; null when there is none. */
export function objected({ context, revision, rules, state, facts }: BasisInput): Verdict | null {
  const objection = state.objectionResponse;
  if (!objectionBases.includes(revision.legalBasis) || state.objection !== 'STANDING' || objection === null)
    return null;
  const decision = objectionOutcomeAt(
    facts.responses.find((response) => response.id === objection.id),
    context.at,
  );
  const status =
    decision.outcome === 'HONOURED' && decision.decidedAt !== null
      ? `its case was honoured on ${iso(decision.decidedAt)}`
      : `its case is open (not decided by ${iso(context.at)})`;
  return verdict(
    'OBJECTED',
    revision,
    { ...none, responseId: objection.id, versionId: rules.inForce[0]?.id ?? null },
    `Objection recorded on ${iso(objection.occurredAt)} and not withdrawn; ${status}.`,
  );
}

/** The latest objection answer, as evidence, under a basis that allows objections. */
export function objectionEvidence({ revision, state }: BasisInput): string | null {
  return objectionBases.includes(revision.legalBasis) ? (state.objectionResponse?.id ?? null) : null;
}

/**
 * The rules applied under every basis, in order: erasure, archiving, no revision yet, and a
 * consent withdrawn before the purpose switched away from consent. Null when none applies.
 */
export function commonRules(
  context: PurposeContext,
  rules: PurposeRules,
  facts: SubjectFacts,
): Verdict | null {
  const { at, revision } = context;
  if (facts.erasedAt !== null && facts.erasedAt.getTime() <= at.getTime()) {
    return verdict('SUBJECT_ERASED', revision, none, `The subject was erased on ${iso(facts.erasedAt)}.`);
  }
  if (context.archivedAt !== null && context.archivedAt.getTime() <= at.getTime()) {
    return verdict(
      'PURPOSE_ARCHIVED',
      revision,
      none,
      `Purpose ${context.purposeKey} was archived on ${iso(context.archivedAt)}.`,
    );
  }
  if (revision === null) {
    return verdict(
      'PURPOSE_NOT_IN_FORCE',
      null,
      none,
      `Purpose ${context.purposeKey} had no revision yet at ${iso(at)}.`,
    );
  }
  const switched = rules.consentSwitch;
  if (switched !== null) {
    const before = purposeState(facts.responses, null, switched.createdAt);
    const withdrawal = before.consentResponse;
    if (before.consent === 'WITHDRAWN' && withdrawal !== null) {
      const named = facts.responses.find((response) => response.id === withdrawal.id)?.versionId ?? null;
      return verdict(
        'CONSENT_WITHDRAWN_BEFORE_SWITCH',
        revision,
        { ...none, responseId: withdrawal.id, versionId: named },
        `Consent to ${context.purposeKey} was withdrawn on ${iso(withdrawal.occurredAt)}, before revision ${switched.number} (${iso(switched.createdAt)}) moved it from consent to ${switched.legalBasis}: the withdrawal stands as an objection.`,
      );
    }
  }
  return null;
}
