import { canonicalJson, compareCodeUnits } from '../../lib/canonical-json.js';
import type {
  ControllerIdentity,
  PurposeSnapshot,
  TranslationSnapshot,
  VersionSnapshot,
} from '../purpose/purpose.snapshot.js';
import { type ChangeClass, changeClassRank } from './change-class.js';
import { canonicalPurpose } from './content-hash.js';
import { diffLines, type LineChange } from './text-diff.js';

export type PurposeField = Exclude<keyof PurposeSnapshot, 'key' | 'revision'>;

export type ReasonCode =
  | 'PURPOSE_ADDED_CONSENT'
  | 'LEGAL_BASIS_CHANGED_TO_CONSENT'
  | 'CONSENT_PURPOSE_WIDENED'
  | 'PURPOSE_ADDED'
  | 'LEGAL_BASIS_CHANGED'
  | 'LEGITIMATE_INTEREST_CHANGED'
  | 'OBJECTION_MECHANISM_CHANGED'
  | 'LEGITIMATE_INTEREST_ASSESSMENT_CHANGED'
  | 'RECIPIENTS_ADDED'
  | 'TRANSFERS_ADDED'
  | 'DATA_CATEGORIES_ADDED'
  | 'SPECIAL_CATEGORIES_ADDED'
  | 'DATA_SUBJECT_CATEGORIES_ADDED'
  | 'DATA_SOURCES_ADDED'
  | 'PUBLICLY_ACCESSIBLE_SOURCES_ADDED'
  | 'RETENTION_EXTENDED'
  | 'AUTOMATED_DECISION_MAKING_ADDED'
  | 'AUTOMATED_DECISION_MAKING_CHANGED'
  | 'PURPOSE_REMOVED'
  | 'NAME_CHANGED'
  | 'DESCRIPTION_CHANGED'
  | 'RECIPIENTS_REMOVED'
  | 'TRANSFERS_REMOVED'
  | 'DATA_CATEGORIES_REMOVED'
  | 'SPECIAL_CATEGORIES_REMOVED'
  | 'DATA_SUBJECT_CATEGORIES_REMOVED'
  | 'DATA_SOURCES_REMOVED'
  | 'PUBLICLY_ACCESSIBLE_SOURCES_REMOVED'
  | 'RETENTION_SHORTENED'
  | 'RETENTION_LIMITED'
  | 'AUTOMATED_DECISION_MAKING_REMOVED'
  | 'CONSENT_VALIDITY_CHANGED'
  | 'FIELD_EDITED'
  | 'CONTROLLER_IDENTITY_CHANGED'
  | 'CONTROLLER_CONTACT_CHANGED'
  | 'DPO_CHANGED'
  | 'EU_REPRESENTATIVE_CHANGED'
  | 'EXPLICIT_CONSENT_REQUIRED'
  | 'EXPLICIT_CONSENT_DROPPED'
  | 'TEXT_CHANGED'
  | 'WORDING_SIGNED_OFF'
  | 'NO_CHANGE';

export interface FieldChange {
  readonly field: PurposeField;
  readonly before: unknown;
  readonly after: unknown;
}

export interface PurposeChange {
  readonly key: string;
  readonly fromRevision: number;
  readonly toRevision: number;
  readonly changes: FieldChange[];
}

export interface TextChange {
  readonly locale: string;
  readonly status: 'ADDED' | 'REMOVED' | 'CHANGED';
  readonly titleChanged: boolean;
  readonly lines: LineChange[];
}

export interface ClassificationReason {
  readonly classification: ChangeClass;
  readonly code: ReasonCode;
  readonly purposeKey: string | null;
  readonly message: string;
}

/**
 * A publisher's signed statement that the wording changes of a version (purpose names and
 * descriptions, notice text) are not material, stored with the version (`wordingSignOff`).
 */
export interface WordingSignOff {
  readonly signedBy: string;
  readonly reason: string;
  /** The API key that published the version with the statement. */
  readonly apiKeyId: string;
  /** When it was given: the publication instant, ISO 8601. */
  readonly signedAt: string;
}

export interface DiffOptions {
  /** The `to` version's sign-off; applied only when `to` directly follows `from`. */
  readonly wordingSignOff?: WordingSignOff | null;
}

export interface VersionDiff {
  readonly purposesAdded: string[];
  readonly purposesRemoved: string[];
  /** Purposes in both versions whose content differs; a revision bump alone is not a change. */
  readonly purposesChanged: PurposeChange[];
  /** Only the locales that differ, by locale. */
  readonly textChanges: TextChange[];
  /** Reported, but never a reason: consecutive versions normally take effect on different dates. */
  readonly effectiveFromChanged: boolean;
  readonly classification: ChangeClass;
  /** Most severe first. */
  readonly reasons: ClassificationReason[];
  /** The sign-off that made this diff's wording changes EDITORIAL; null when none applied. */
  readonly wordingSignOff: WordingSignOff | null;
}

const purposeFields: readonly PurposeField[] = [
  'name',
  'description',
  'legalBasis',
  'legitimateInterest',
  'dataCategories',
  'specialCategories',
  'dataSubjectCategories',
  'dataSources',
  'publiclyAccessibleSources',
  'recipients',
  'retentionPeriodDays',
  'retentionCriteria',
  'transfers',
  'automatedDecisionMaking',
  'consentValidityDays',
  'explicitConsent',
  'basisChangeJustification',
  'objectionMechanism',
  'legitimateInterestAssessment',
];

/** Why widening a purpose that stays based on consent asks for consent again; ends every such message. */
export const consentWideningRule =
  'consent covers only the processing people were told about, so it must be asked for again' +
  ' (GDPR Art. 4(11), Art. 7; EDPB Guidelines 05/2020 on consent)';

/** Why a new reliance on explicit consent asks for it, whatever the basis was; ends every such message. */
export const explicitConsentRule =
  'explicit consent must be asked for, whatever the legal basis was before' +
  ' (GDPR Art. 4(11), Art. 7; EDPB Guidelines 05/2020 on consent, "explicit consent")';

/** Why a change of wording is re-notified; ends every wording reason that is not signed off. */
export const wordingRule =
  'new wording can change what people are told, so it is re-notified unless signed off as not material' +
  ' (GDPR Art. 13(3), Art. 14(4); WP29 Guidelines on transparency, WP260 rev.01, para. 29)';

const fieldLabels: Record<PurposeField, string> = {
  name: 'name',
  description: 'description',
  legalBasis: 'legal basis',
  legitimateInterest: 'legitimate interest',
  dataCategories: 'data categories',
  specialCategories: 'special categories',
  dataSubjectCategories: 'data-subject categories',
  dataSources: 'data sources',
  publiclyAccessibleSources: 'publicly accessible sources',
  recipients: 'recipients',
  retentionPeriodDays: 'retention period',
  retentionCriteria: 'retention criteria',
  transfers: 'transfers',
  automatedDecisionMaking: 'automated decision-making',
  consentValidityDays: 'consent validity',
  explicitConsent: 'explicit consent',
  basisChangeJustification: 'justification of the legal-basis change',
  objectionMechanism: 'how to object',
  legitimateInterestAssessment: 'legitimate-interest assessment',
};

/** Compares two versions and classifies what people must be told: the rules are docs/change-classification.md. */
export function diffVersions(
  from: VersionSnapshot,
  to: VersionSnapshot,
  options: DiffOptions = {},
): VersionDiff {
  // A sign-off covers the wording of one publication: a diff across several steps cannot use it.
  const follows = from.number === null || (to.number !== null && to.number === from.number + 1);
  const signOff = follows ? (options.wordingSignOff ?? null) : null;
  const wording = wordingReasons(signOff);
  const before = new Map(from.purposes.map((p) => [p.key, p]));
  const after = new Map(to.purposes.map((p) => [p.key, p]));
  const purposesAdded = [...after.keys()].filter((key) => !before.has(key)).sort(compareCodeUnits);
  const purposesRemoved = [...before.keys()].filter((key) => !after.has(key)).sort(compareCodeUnits);
  const reasons: ClassificationReason[] = [];

  for (const key of purposesAdded) {
    const added = after.get(key)!;
    const basis = added.legalBasis;
    if (basis === 'CONSENT')
      reasons.push(reason('RECONSENT', 'PURPOSE_ADDED_CONSENT', key, 'added, based on consent'));
    else reasons.push(reason('RENOTIFY', 'PURPOSE_ADDED', key, `added (legal basis: ${basisLabel(basis)})`));
    const explicit = explicitConsentChanges(null, added).required;
    if (explicit.length > 0) reasons.push(explicitConsentRequired(key, explicit));
  }
  for (const key of purposesRemoved) reasons.push(reason('EDITORIAL', 'PURPOSE_REMOVED', key, 'removed'));

  const purposesChanged: PurposeChange[] = [];
  for (const key of [...after.keys()].filter((k) => before.has(k)).sort(compareCodeUnits)) {
    const change = comparePurpose(before.get(key)!, after.get(key)!);
    if (change.changes.length === 0) continue;
    purposesChanged.push(change);
    reasons.push(...classifyPurpose(before.get(key)!, after.get(key)!, change.changes, wording));
  }

  reasons.push(...compareControllers(from.controller ?? null, to.controller ?? null));
  const textChanges = compareTexts(from.translations, to.translations);
  if (textChanges.length > 0) {
    const locales = textChanges.map((t) => t.locale).join(', ');
    reasons.push(wording(null, 'TEXT_CHANGED', `The notice text changed (${locales})`));
  }
  const worded = signOff !== null && reasons.some((r) => wordingCodes.has(r.code));
  if (worded) {
    const message = `Wording changes signed off as not material by ${quoted(signOff.signedBy)}: ${quoted(signOff.reason)}`;
    reasons.push(reason('EDITORIAL', 'WORDING_SIGNED_OFF', null, message));
  }
  if (reasons.length === 0) {
    reasons.push(reason('EDITORIAL', 'NO_CHANGE', null, 'No change to the purposes or the notice text'));
  }
  // sort() is stable, so reasons of the same class keep the order they were found in.
  reasons.sort((a, b) => changeClassRank[b.classification] - changeClassRank[a.classification]);

  return {
    purposesAdded,
    purposesRemoved,
    purposesChanged,
    textChanges,
    effectiveFromChanged: from.effectiveFrom.getTime() !== to.effectiveFrom.getTime(),
    classification: reasons[0]!.classification,
    reasons,
    wordingSignOff: worded ? signOff : null,
  };
}

/** The reasons a sign-off can make EDITORIAL: changes of wording, not of what is done with data. */
const wordingCodes: ReadonlySet<ReasonCode> = new Set([
  'NAME_CHANGED',
  'DESCRIPTION_CHANGED',
  'TEXT_CHANGED',
]);

/** True when every reason that demands anything is a change of wording, which a sign-off would make EDITORIAL. */
export function onlyWording(diff: VersionDiff): boolean {
  const demanding = diff.reasons.filter((r) => r.classification !== 'EDITORIAL');
  return demanding.length > 0 && demanding.every((r) => wordingCodes.has(r.code));
}

type WordingReason = (purposeKey: string | null, code: ReasonCode, detail: string) => ClassificationReason;

/** Wording reasons: RENOTIFY, or EDITORIAL under a sign-off that their message names. */
function wordingReasons(signOff: WordingSignOff | null): WordingReason {
  return (purposeKey, code, detail) =>
    signOff === null
      ? reason('RENOTIFY', code, purposeKey, `${detail}; ${wordingRule}`)
      : reason(
          'EDITORIAL',
          code,
          purposeKey,
          `${detail}; signed off as not material by ${quoted(signOff.signedBy)}`,
        );
}

function comparePurpose(from: PurposeSnapshot, to: PurposeSnapshot): PurposeChange {
  const a = canonicalPurpose(from);
  const b = canonicalPurpose(to);
  // Compared in canonical form, so that a change the content hash cannot see is no change here.
  const changes = purposeFields
    .filter((field) => canonicalJson(a[field] ?? null) !== canonicalJson(b[field] ?? null))
    .map((field) => ({ field, before: from[field] ?? null, after: to[field] ?? null }));
  return { key: to.key, fromRevision: from.revision, toRevision: to.revision, changes };
}

function classifyPurpose(
  from: PurposeSnapshot,
  to: PurposeSnapshot,
  changes: readonly FieldChange[],
  wording: WordingReason,
): ClassificationReason[] {
  const key = to.key;
  const reasons: ClassificationReason[] = [];
  const explained = new Set<PurposeField>();
  const add = (fields: PurposeField[], cls: ChangeClass, code: ReasonCode, message: string): void => {
    for (const field of fields) explained.add(field);
    reasons.push(reason(cls, code, key, message));
  };
  // A basis change has its own rule; only a purpose based on consent before and after is widened.
  const consentKept = from.legalBasis === 'CONSENT' && to.legalBasis === 'CONSENT';
  const leavesConsent = from.legalBasis === 'CONSENT' && to.legalBasis !== 'CONSENT';
  const explicit = explicitConsentChanges(from, to);
  const widen = (fields: PurposeField[], code: ReasonCode, message: string): void => {
    if (consentKept)
      add(fields, 'RECONSENT', 'CONSENT_PURPOSE_WIDENED', `${message}; ${consentWideningRule}`);
    else add(fields, 'RENOTIFY', code, message);
  };
  /** New pairs; under kept consent, those whose first element is new widen it, the others re-notify. */
  const addPairs = (
    field: PurposeField,
    added: readonly PairChange[],
    known: readonly string[],
    code: ReasonCode,
    [label, joiner]: readonly [string, string],
  ): void => {
    const knownFirst = new Set(known.map(item));
    // What newly relies on explicit consent has its own reason (EXPLICIT_CONSENT_REQUIRED).
    const ownReason = new Set(explicit.required.filter((p) => p.field === field).map((p) => p.item));
    const open = added.filter(([first]) => !ownReason.has(item(first)));
    const fresh = consentKept ? open.filter(([first]) => !knownFirst.has(item(first))) : [];
    const rest = open.filter((pair) => !fresh.includes(pair));
    const describe = (pairs: readonly PairChange[]) =>
      `${label}: ${pairs.map((p) => describePair(p, joiner)).join(', ')}`;
    if (fresh.length > 0) widen([field], code, describe(fresh));
    if (rest.length > 0) add([field], 'RENOTIFY', code, describe(rest));
  };

  if (from.legalBasis !== to.legalBasis) {
    // The interest, the consent validity and the justification only exist for their basis; they
    // follow its change, and so does explicit consent when consent is left.
    const fields: PurposeField[] = [
      'legalBasis',
      'legitimateInterest',
      'consentValidityDays',
      'basisChangeJustification',
      ...(leavesConsent ? explicit.dropped.map((p) => p.field) : []),
    ];
    const message = `legal basis changed from ${basisLabel(from.legalBasis)} to ${basisLabel(to.legalBasis)}`;
    if (to.legalBasis === 'CONSENT') add(fields, 'RECONSENT', 'LEGAL_BASIS_CHANGED_TO_CONSENT', message);
    else if (leavesConsent) add(fields, 'RENOTIFY', 'LEGAL_BASIS_CHANGED', justified(message, to));
    else add(fields, 'RENOTIFY', 'LEGAL_BASIS_CHANGED', message);
  }
  if (explicit.required.length > 0) {
    for (const part of explicit.required) explained.add(part.field);
    reasons.push(explicitConsentRequired(key, explicit.required));
  }
  if (explicit.dropped.length > 0 && !leavesConsent) {
    const fields = explicit.dropped.map((p) => p.field);
    const message = `no longer relies on explicit consent: ${explicit.dropped.map((p) => p.label).join('; ')}`;
    add(
      fields,
      'RENOTIFY',
      'EXPLICIT_CONSENT_DROPPED',
      `${message} (GDPR Art. 13(1)(c); EDPB Guidelines 05/2020 on consent, §§ 121–123)`,
    );
  }
  if (
    to.legalBasis === 'LEGITIMATE_INTERESTS' &&
    text(from.legitimateInterest) !== text(to.legitimateInterest)
  ) {
    const message = `legitimate interest now ${quoted(to.legitimateInterest)}`;
    add(['legitimateInterest'], 'RENOTIFY', 'LEGITIMATE_INTEREST_CHANGED', message);
  }
  if (changes.some((change) => change.field === 'objectionMechanism')) {
    add(['objectionMechanism'], 'RENOTIFY', 'OBJECTION_MECHANISM_CHANGED', objectionMechanismMessage(to));
  }
  if (changes.some((change) => change.field === 'legitimateInterestAssessment')) {
    const message = assessmentMessage(from, to);
    add(['legitimateInterestAssessment'], 'EDITORIAL', 'LEGITIMATE_INTEREST_ASSESSMENT_CHANGED', message);
  }

  const lists = [
    ['recipients', 'RECIPIENTS', true],
    ['dataCategories', 'DATA_CATEGORIES', true],
    ['dataSubjectCategories', 'DATA_SUBJECT_CATEGORIES', false],
    ['dataSources', 'DATA_SOURCES', false],
  ] as const;
  for (const [field, prefix, widensConsent] of lists) {
    const added = missingFrom(from[field], to[field], item);
    const removed = missingFrom(to[field], from[field], item);
    const label = fieldLabels[field];
    if (added.length > 0) {
      const message = `new ${label}: ${quotedList(added)}`;
      if (widensConsent) widen([field], `${prefix}_ADDED`, message);
      else add([field], 'RENOTIFY', `${prefix}_ADDED`, message);
    }
    if (removed.length > 0) {
      add([field], 'EDITORIAL', `${prefix}_REMOVED`, `${label} removed: ${quotedList(removed)}`);
    }
  }

  const categoryChange = comparePairs(
    from.specialCategories.map((s) => [s.category, s.condition] as const),
    to.specialCategories.map((s) => [s.category, s.condition] as const),
  );
  const categories = from.specialCategories.map((s) => s.category);
  addPairs('specialCategories', categoryChange.added, categories, 'SPECIAL_CATEGORIES_ADDED', [
    'new special categories',
    'under',
  ]);
  if (categoryChange.removed.length > 0) {
    const message = `special categories removed: ${quotedList(categoryChange.removed.map(([c]) => c))}`;
    add(['specialCategories'], 'EDITORIAL', 'SPECIAL_CATEGORIES_REMOVED', message);
  }

  const transferChange = comparePairs(
    from.transfers.map((t) => [t.destination, t.safeguard] as const),
    to.transfers.map((t) => [t.destination, t.safeguard] as const),
  );
  const destinations = from.transfers.map((t) => t.destination);
  addPairs('transfers', transferChange.added, destinations, 'TRANSFERS_ADDED', ['new transfers', 'with']);
  if (transferChange.removed.length > 0) {
    const items = quotedList(transferChange.removed.map(([destination]) => destination));
    add(['transfers'], 'EDITORIAL', 'TRANSFERS_REMOVED', `transfers removed: ${items}`);
  }

  if (!from.publiclyAccessibleSources && to.publiclyAccessibleSources) {
    const message = 'data now also comes from publicly accessible sources';
    add(['publiclyAccessibleSources'], 'RENOTIFY', 'PUBLICLY_ACCESSIBLE_SOURCES_ADDED', message);
  } else if (from.publiclyAccessibleSources && !to.publiclyAccessibleSources) {
    const message = 'data no longer comes from publicly accessible sources';
    add(['publiclyAccessibleSources'], 'EDITORIAL', 'PUBLICLY_ACCESSIBLE_SOURCES_REMOVED', message);
  }

  const retention = classifyRetention(from, to);
  const retentionFields: PurposeField[] = ['retentionPeriodDays', 'retentionCriteria'];
  if (retention?.[1] === 'RETENTION_EXTENDED') widen(retentionFields, retention[1], retention[2]);
  else if (retention) add(retentionFields, ...retention);

  const admBefore = from.automatedDecisionMaking;
  const admAfter = to.automatedDecisionMaking;
  // Introduced on explicit consent, it has that reason (above) instead.
  const admOnExplicitConsent = explicit.required.some((p) => p.field === 'automatedDecisionMaking');
  if (admBefore === null && admAfter !== null) {
    const message = `automated decision-making introduced: ${quoted(admAfter.logic)}`;
    if (!admOnExplicitConsent) widen(['automatedDecisionMaking'], 'AUTOMATED_DECISION_MAKING_ADDED', message);
  } else if (admBefore !== null && admAfter === null) {
    const message = 'automated decision-making no longer used';
    add(['automatedDecisionMaking'], 'EDITORIAL', 'AUTOMATED_DECISION_MAKING_REMOVED', message);
  } else if (admBefore !== null && admAfter !== null) {
    // The significance for the person is as much part of Art. 13(2)(f) as the logic.
    const parts: string[] = [];
    if (text(admBefore.logic) !== text(admAfter.logic)) parts.push(`logic now ${quoted(admAfter.logic)}`);
    if (text(admBefore.significance) !== text(admAfter.significance)) {
      parts.push(`significance now ${quoted(admAfter.significance)}`);
    }
    if (parts.length > 0) {
      const message = `automated decision-making changed: ${parts.join('; ')}`;
      add(['automatedDecisionMaking'], 'RENOTIFY', 'AUTOMATED_DECISION_MAKING_CHANGED', message);
    }
  }

  if (to.legalBasis === 'CONSENT' && from.consentValidityDays !== to.consentValidityDays) {
    const change = `from ${days(from.consentValidityDays)} to ${days(to.consentValidityDays)}`;
    const message = `consent validity changed ${change}`;
    add(['consentValidityDays'], 'EDITORIAL', 'CONSENT_VALIDITY_CHANGED', message);
  }
  if (text(from.name) !== text(to.name)) {
    explained.add('name');
    reasons.push(wording(key, 'NAME_CHANGED', `renamed from ${quoted(from.name)} to ${quoted(to.name)}`));
  }
  if (text(from.description) !== text(to.description)) {
    explained.add('description');
    reasons.push(wording(key, 'DESCRIPTION_CHANGED', 'description reworded'));
  }

  // Every changed field gets a reason, even when the edit (order, spacing) has no effect on the class.
  for (const { field } of changes) {
    if (!explained.has(field)) add([field], 'EDITORIAL', 'FIELD_EDITED', `${fieldLabels[field]} edited`);
  }
  return reasons;
}

/** How to object now, for the reason (Art. 21(4): the right and how to use it are brought to people's attention). */
function objectionMechanismMessage(to: PurposeSnapshot): string {
  const mechanism = to.objectionMechanism ?? null;
  if (mechanism === null) return 'no longer states how to object (GDPR Art. 21(4), Art. 12(2))';
  const parts = [
    mechanism.url ? `at ${quoted(mechanism.url)}` : null,
    mechanism.steps ? `steps ${quoted(mechanism.steps)}` : null,
    mechanism.reasonsRequired ? 'reasons asked for' : 'no reasons asked for',
  ].filter((part) => part !== null);
  return `how to object now: ${parts.join('; ')} (GDPR Art. 21(4), Art. 12(2))`;
}

/** The assessment is the controller's record (Art. 5(2)); people are told the interest, which has its own rule. */
function assessmentMessage(from: PurposeSnapshot, to: PurposeSnapshot): string {
  const before = from.legitimateInterestAssessment ?? null;
  const after = to.legitimateInterestAssessment ?? null;
  const source = '(GDPR Art. 5(2), Art. 6(1)(f); EDPB Guidelines 1/2024 on legitimate interest)';
  if (after === null) return `legitimate-interest assessment no longer recorded ${source}`;
  const dpia = after.dpia ? `; DPIA ${quoted(after.dpia.reference)} (${after.dpia.date})` : '';
  const verb = before === null ? 'recorded' : 'revised';
  return `legitimate-interest assessment ${verb}: by ${quoted(after.author)} on ${after.assessedOn}${dpia} ${source}`;
}

/** The reason a basis change away from consent gives: it quotes the revision's justification. */
function justified(message: string, to: PurposeSnapshot): string {
  const justification = to.basisChangeJustification?.trim();
  if (justification) return `${message}; justification: ${quoted(justification)}`;
  return `${message}; revision ${to.revision} records no justification`;
}

interface ExplicitPart {
  readonly field: PurposeField;
  /** The item's identity (category or destination), trimmed and NFC; null for the purpose or its ADM. */
  readonly item: string | null;
  readonly label: string;
  readonly article: string;
}

/** Where explicit consent is relied on, per Art. 9(2)(a), 49(1)(a) and 22(2)(c). */
function explicitParts(p: PurposeSnapshot): ExplicitPart[] {
  const parts: ExplicitPart[] = [];
  if (p.explicitConsent === true) {
    const article = 'Art. 9(2)(a), Art. 49(1)(a), Art. 22(2)(c)';
    parts.push({ field: 'explicitConsent', item: null, label: 'the purpose', article });
  }
  for (const s of p.specialCategories) {
    if (s.explicitConsent !== true) continue;
    const label = `special category ${quoted(s.category)}`;
    parts.push({ field: 'specialCategories', item: item(s.category), label, article: 'Art. 9(2)(a)' });
  }
  for (const t of p.transfers) {
    if (t.explicitConsent !== true) continue;
    const label = `transfer to ${quoted(t.destination)}`;
    parts.push({ field: 'transfers', item: item(t.destination), label, article: 'Art. 49(1)(a)' });
  }
  if (p.automatedDecisionMaking?.explicitConsent === true) {
    const label = 'automated decision-making';
    parts.push({ field: 'automatedDecisionMaking', item: null, label, article: 'Art. 22(2)(c)' });
  }
  return parts;
}

const partIdentity = (p: ExplicitPart): string => `${p.field}\u0000${p.item ?? ''}`;

/**
 * What relies on explicit consent in `to` and did not in `from` (absent or not flagged); and what
 * did in `from`, is still there in `to`, and no longer does (what is gone has its removal rule).
 */
function explicitConsentChanges(
  from: PurposeSnapshot | null,
  to: PurposeSnapshot,
): { required: ExplicitPart[]; dropped: ExplicitPart[] } {
  const before = missingFrom([], from ? explicitParts(from) : [], partIdentity);
  const after = missingFrom([], explicitParts(to), partIdentity);
  const kept = (p: ExplicitPart): boolean => {
    if (p.field === 'explicitConsent') return true;
    if (p.field === 'automatedDecisionMaking') return to.automatedDecisionMaking !== null;
    const items =
      p.field === 'specialCategories'
        ? to.specialCategories.map((c) => c.category)
        : to.transfers.map((t) => t.destination);
    return items.some((value) => item(value) === p.item);
  };
  return {
    required: missingFrom(before, after, partIdentity),
    dropped: missingFrom(after, before, partIdentity).filter(kept),
  };
}

function explicitConsentRequired(key: string, parts: readonly ExplicitPart[]): ClassificationReason {
  // The articles of the items; the purpose's own flag alone names all three.
  const items = parts.filter((p) => p.field !== 'explicitConsent');
  const cited = [...new Set((items.length > 0 ? items : parts).map((p) => p.article))].join(', ');
  const labels = parts.map((p) => p.label).join('; ');
  const message = `now relies on explicit consent (GDPR ${cited}): ${labels}; ${explicitConsentRule}`;
  return reason('RECONSENT', 'EXPLICIT_CONSENT_REQUIRED', key, message);
}

/**
 * Who the controller is and how to reach it or its DPO is part of what a version states
 * (Art. 13(1)(a)–(b), 14(1)(a)–(b)); a change of identity, or of how people exercise their
 * rights, must be communicated (WP29 Guidelines on transparency, WP260 rev.01, para. 29). A
 * version published before the identity was stated (null) is compared on nothing here.
 */
function compareControllers(
  from: ControllerIdentity | null,
  to: ControllerIdentity | null,
): ClassificationReason[] {
  if (from === null || to === null) return [];
  const changed = (field: keyof ControllerIdentity) => text(from[field]) !== text(to[field]);
  const reasons: ClassificationReason[] = [];
  const now = (field: keyof ControllerIdentity) => quoted(to[field]);
  if (changed('name') || changed('legalName')) {
    const message = `The controller is now ${now('legalName')} (${now('name')}), was ${quoted(from.legalName)}`;
    reasons.push(reason('RENOTIFY', 'CONTROLLER_IDENTITY_CHANGED', null, message));
  }
  if (changed('contactEmail')) {
    const message = `The controller's contact is now ${now('contactEmail')}`;
    reasons.push(reason('RENOTIFY', 'CONTROLLER_CONTACT_CHANGED', null, message));
  }
  if (changed('dpoContact')) {
    const message = `The data protection officer's contact is now ${now('dpoContact')}`;
    reasons.push(reason('RENOTIFY', 'DPO_CHANGED', null, message));
  }
  if (changed('euRepresentative')) {
    const message = `The EU representative is now ${now('euRepresentative')}`;
    reasons.push(reason('RENOTIFY', 'EU_REPRESENTATIVE_CHANGED', null, message));
  }
  return reasons;
}

function classifyRetention(
  from: PurposeSnapshot,
  to: PurposeSnapshot,
): [ChangeClass, ReasonCode, string] | null {
  const before = from.retentionPeriodDays;
  const after = to.retentionPeriodDays;
  if (before !== null && after !== null) {
    const change = `from ${days(before)} to ${days(after)}`;
    if (after > before) return ['RENOTIFY', 'RETENTION_EXTENDED', `retention extended ${change}`];
    if (after < before) return ['EDITORIAL', 'RETENTION_SHORTENED', `retention shortened ${change}`];
    return null;
  }
  if (before !== null) {
    const message = `retention no longer limited to ${days(before)}; now ${quoted(to.retentionCriteria)}`;
    return ['RENOTIFY', 'RETENTION_EXTENDED', message];
  }
  if (after !== null) return ['EDITORIAL', 'RETENTION_LIMITED', `retention now limited to ${days(after)}`];
  // Without a period the criteria are the whole limit, so any new wording may keep data longer.
  if (text(from.retentionCriteria) !== text(to.retentionCriteria)) {
    const message = `retention criteria changed to ${quoted(to.retentionCriteria)}`;
    return ['RENOTIFY', 'RETENTION_EXTENDED', message];
  }
  return null;
}

function compareTexts(
  from: readonly TranslationSnapshot[],
  to: readonly TranslationSnapshot[],
): TextChange[] {
  const before = new Map(from.map((t) => [t.locale, t]));
  const after = new Map(to.map((t) => [t.locale, t]));
  const locales = [...new Set([...before.keys(), ...after.keys()])].sort(compareCodeUnits);
  const changes: TextChange[] = [];
  for (const locale of locales) {
    const a = before.get(locale);
    const b = after.get(locale);
    if (!a && b) {
      changes.push({ locale, status: 'ADDED', titleChanged: true, lines: diffLines('', nfc(b.body)) });
    } else if (a && !b) {
      changes.push({ locale, status: 'REMOVED', titleChanged: true, lines: diffLines(nfc(a.body), '') });
    } else if (a && b) {
      const titleChanged = nfc(a.title) !== nfc(b.title);
      const lines = diffLines(nfc(a.body), nfc(b.body));
      if (titleChanged || lines.length > 0) changes.push({ locale, status: 'CHANGED', titleChanged, lines });
    }
  }
  return changes;
}

type Pair = readonly [string, string];

/** Pairs in `to` that are new; and pairs of `from` whose first element is gone altogether. */
function comparePairs(from: readonly Pair[], to: readonly Pair[]): { added: PairChange[]; removed: Pair[] } {
  const pairKey = ([first, second]: Pair): string => `${item(first)}\u0000${item(second)}`;
  const gone = missingFrom(to, from, pairKey);
  const added = missingFrom(from, to, pairKey).map(([first, second]): PairChange => {
    const earlier = gone.filter(([f]) => item(f) === item(first)).map(([, s]) => s.trim());
    return [first.trim(), second.trim(), earlier];
  });
  const remaining = new Set(to.map(([first]) => item(first)));
  const removed = gone.filter(([first]) => !remaining.has(item(first)));
  return { added, removed: removed.map(([first, second]) => [first.trim(), second.trim()] as const) };
}

type PairChange = readonly [string, string, string[]];

function describePair([first, second, earlier]: PairChange, joiner: string): string {
  const was = earlier.length > 0 ? ` (was ${earlier.map(quoted).join(', ')})` : '';
  return `"${first}" ${joiner} "${second}"${was}`;
}

/** Items of `to` whose identity is not in `from`, once each, in `to` order. */
function missingFrom<T>(from: readonly T[], to: readonly T[], identity: (value: T) => string): T[] {
  const known = new Set(from.map(identity));
  const result: T[] = [];
  for (const value of to) {
    const id = identity(value);
    if (known.has(id)) continue;
    known.add(id);
    result.push(value);
  }
  return result;
}

function reason(
  classification: ChangeClass,
  code: ReasonCode,
  purposeKey: string | null,
  detail: string,
): ClassificationReason {
  const message = purposeKey === null ? detail : purposeMessage(purposeKey, code, detail);
  return { classification, code, purposeKey, message };
}

function purposeMessage(key: string, code: ReasonCode, detail: string): string {
  const whole = code === 'PURPOSE_ADDED' || code === 'PURPOSE_ADDED_CONSENT' || code === 'PURPOSE_REMOVED';
  return whole ? `Purpose "${key}" ${detail}` : `Purpose "${key}": ${detail}`;
}

function basisLabel(basis: PurposeSnapshot['legalBasis']): string {
  return basis.toLowerCase().replaceAll('_', ' ');
}

function days(value: number | null): string {
  if (value === null) return 'no limit';
  return value === 1 ? '1 day' : `${value} days`;
}

const nfc = (value: string): string => value.normalize('NFC');
const item = (value: string): string => nfc(value.trim());
const text = (value: string | null): string | null => (value === null ? null : item(value));
const quoted = (value: string | null): string => (value === null ? 'nothing' : `"${value.trim()}"`);
const quotedList = (values: readonly string[]): string => values.map((v) => quoted(v)).join(', ');
