import type { ChangeClass } from '../notice/change-class.js';
import type { EventType } from '../notification/notification.policy.js';
import type { ReachEvidence } from '../notification/reach.policy.js';
import type { ResponseFact } from '../subject/subject.policy.js';
import { purposeChange } from './purpose-rules.js';

export type LegalBasis =
  | 'CONSENT'
  | 'CONTRACT'
  | 'LEGAL_OBLIGATION'
  | 'VITAL_INTERESTS'
  | 'PUBLIC_TASK'
  | 'LEGITIMATE_INTERESTS';
export type EligibilityDecision = 'ALLOWED' | 'DENIED';

/** Every rule and the answer it gives (docs/eligibility.md, the decision table). */
export const ruleDecisions = {
  SUBJECT_ERASED: 'DENIED',
  PURPOSE_ARCHIVED: 'DENIED',
  PURPOSE_NOT_IN_FORCE: 'DENIED',
  CONSENT_WITHDRAWN_BEFORE_SWITCH: 'DENIED',
  CONSENT_MISSING: 'DENIED',
  CONSENT_WITHDRAWN: 'DENIED',
  CONSENT_REFUSED: 'DENIED',
  CONSENT_VERSION_UNKNOWN: 'DENIED',
  CONSENT_OUTDATED: 'DENIED',
  CONSENT_LAPSED: 'DENIED',
  CONSENT_GIVEN: 'ALLOWED',
  OBJECTED: 'DENIED',
  NO_VERSION_IN_FORCE: 'DENIED',
  REVISION_NOT_NOTIFIED: 'DENIED',
  NOT_NOTIFIED: 'DENIED',
  NOT_REACHED: 'DENIED',
  LEAD_TIME_NOT_MET: 'DENIED',
  LEGITIMATE_INTERESTS_NOTIFIED: 'ALLOWED',
  LAWFUL_BASIS: 'ALLOWED',
} as const satisfies Record<string, EligibilityDecision>;
export type EligibilityRule = keyof typeof ruleDecisions;

/** A purpose revision: the one in force at the instant asked about, or an earlier one. */
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
  readonly pinned: { readonly revisionId: string } | null;
  /** The most demanding classification reason about this purpose against the previous version. */
  readonly purposeChange: ChangeClass;
  /** The notice period frozen at publication; null for versions published before it was frozen. */
  readonly minimumNoticeDays: number | null;
}

/** The controller's settings a decision depends on; a manifest stores them (eligibility.settings.ts). */
export interface EligibilitySettings {
  /** Per channel, the event types that show a notification reached the person. */
  readonly reachEvidence: ReachEvidence;
  /** The controller's notice period: the lead time of a version that has none frozen. */
  readonly minimumNoticeDays: number;
  /** Lead times stored with a manifest, by version ID: they win over the version's own. */
  readonly leadTimes?: ReadonlyMap<string, number>;
}

/** Everything about the purpose (not the subject) that a decision at `at` depends on. */
export interface PurposeContext {
  readonly purposeId: string;
  readonly purposeKey: string;
  readonly at: Date;
  /** Only if archived at or before `at`. */
  readonly archivedAt: Date | null;
  /** The revision in force at `at` (R): the last of `revisions`; null before the purpose existed. */
  readonly revision: RevisionFact | null;
  /** Every revision up to R, by number. */
  readonly revisions: readonly RevisionFact[];
  readonly settings: EligibilitySettings;
  /** Every published version of every notice that has a published version covering the purpose. */
  readonly versions: readonly VersionFact[];
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

/** How the case an objection opened stands (docs/objections.md): decided when `decidedAt` is set. */
export interface ObjectionDecisionFact {
  readonly outcome: 'OPEN' | 'HONOURED' | 'REFUSED';
  readonly decidedAt: Date | null;
}

export interface SubjectResponseFact extends ResponseFact {
  readonly versionId: string | null;
  /** For an objection: its case. Absent or null: no case (treated as open). */
  readonly objectionDecision?: ObjectionDecisionFact | null;
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

/**
 * Whether the person was informed (Art. 13/14) of the purpose: of a version in force at `at`
 * that covers it (CURRENT), only of other versions covering it (OTHER_VERSION_ONLY: earlier ones,
 * or one announced ahead and not yet in force), or of none (NONE). A separate question from
 * whether processing is lawful (Art. 6).
 */
export type TransparencyStatus = 'CURRENT' | 'OTHER_VERSION_ONLY' | 'NONE';

export interface TransparencyFinding {
  readonly status: TransparencyStatus;
  readonly versionId: string | null;
  readonly notificationId: string | null;
  /** The event that shows the notification reached the person; null when it did not. */
  readonly eventId: string | null;
  /** Since when: the first reach when `reached`, else the first notification; null for NONE. */
  readonly since: Date | null;
  readonly reached: boolean;
}

export interface Eligibility {
  readonly decision: EligibilityDecision;
  readonly rule: EligibilityRule;
  readonly legalBasis: LegalBasis | null;
  readonly revisionId: string | null;
  readonly evidence: EligibilityEvidence;
  readonly explanation: string;
  /** Null only when no revision was in force (nothing to be informed about). */
  readonly transparency: TransparencyFinding | null;
}

/** A published version as read from the database, with the link to the purpose (its pinned revision). */
export interface VersionRow {
  readonly id: string;
  readonly noticeId: string;
  readonly noticeKey: string;
  readonly number: number;
  readonly effectiveFrom: Date;
  readonly publishedAt: Date;
  readonly retiredAt: Date | null;
  readonly classification: ChangeClass | null;
  readonly classificationReasons: unknown;
  readonly minimumNoticeDays: number | null;
  /** The revision the version pinned for the purpose; null when it does not cover it. */
  readonly revisionId: string | null;
}

/**
 * The purpose-level facts from the rows read, whichever statement read them. `known` drops an
 * instant recorded after the cut-off (a manifest's `knownAt`); the identity without one.
 */
export function purposeContext(
  purpose: { readonly id: string; readonly key: string; readonly archivedAt: Date | null },
  at: Date,
  known: (date: Date | null) => Date | null,
  revisions: readonly RevisionFact[],
  settings: EligibilitySettings,
  versions: readonly VersionRow[],
): PurposeContext {
  const archivedAt = known(purpose.archivedAt);
  return {
    purposeId: purpose.id,
    purposeKey: purpose.key,
    at,
    archivedAt: archivedAt !== null && archivedAt <= at ? archivedAt : null,
    revision: revisions.at(-1) ?? null,
    revisions,
    settings,
    versions: versions.map((version) => ({
      id: version.id,
      noticeId: version.noticeId,
      noticeKey: version.noticeKey,
      number: version.number,
      effectiveFrom: version.effectiveFrom,
      publishedAt: version.publishedAt,
      retiredAt: known(version.retiredAt),
      pinned: version.revisionId ? { revisionId: version.revisionId } : null,
      purposeChange: purposeChange(purpose.key, version.classification, version.classificationReasons),
      minimumNoticeDays: version.minimumNoticeDays,
    })),
  };
}
