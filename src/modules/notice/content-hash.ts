import { createHash } from 'node:crypto';
import { canonicalJson, compareCodeUnits, nfcChecked } from '../../lib/canonical-json.js';
import type {
  ControllerIdentity,
  LegitimateInterestAssessment,
  ObjectionMechanism,
  PurposeSnapshot,
  TranslationSnapshot,
  VersionSnapshot,
} from '../purpose/purpose.snapshot.js';

/**
 * Identifies the canonical form; a different form gets a different name (docs/content-hash.md).
 * v2 adds the controller's identity and the explicit-consent and basis-change statements; versions
 * published before v2 (no stated controller) keep their v1 form, so their hashes never change.
 */
export const CANONICAL_FORMAT = 'notarium.notice-version.v2';
export const CANONICAL_FORMAT_V1 = 'notarium.notice-version.v1';

/** The canonical JSON text of a version's content (docs/content-hash.md describes it exactly). */
export function canonicalForm(snapshot: VersionSnapshot): string {
  return canonicalJson(canonicalTree(snapshot));
}

/** `sha256:` + lowercase hex SHA-256 of the UTF-8 bytes of the canonical form. */
export function contentHash(snapshot: VersionSnapshot): string {
  return `sha256:${createHash('sha256').update(canonicalForm(snapshot), 'utf8').digest('hex')}`;
}

function canonicalTree(snapshot: VersionSnapshot): Record<string, unknown> {
  const date = snapshot.effectiveFrom;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError('effectiveFrom must be a valid Date');
  }
  const controller = snapshot.controller ?? null;
  const purposes = sortUnique(snapshot.purposes, (p) => p.key, 'purpose key');
  const tree = {
    noticeKey: snapshot.noticeKey,
    number: snapshot.number,
    effectiveFrom: date.toISOString(),
    translations: sortUnique(snapshot.translations, (t) => t.locale, 'locale').map(translationTree),
  };
  if (controller === null) {
    return { format: CANONICAL_FORMAT_V1, ...tree, purposes: purposes.map(canonicalPurposeV1) };
  }
  return {
    format: CANONICAL_FORMAT,
    ...tree,
    controller: controllerTree(controller),
    purposes: purposes.map(canonicalPurpose),
  };
}

function controllerTree(c: ControllerIdentity): Record<keyof ControllerIdentity, unknown> {
  return {
    name: c.name,
    legalName: c.legalName,
    contactEmail: c.contactEmail,
    dpoContact: c.dpoContact,
    euRepresentative: c.euRepresentative,
  };
}

function translationTree(t: TranslationSnapshot): Record<string, unknown> {
  return { locale: t.locale, title: t.title, body: t.body };
}

/** Members of a v2 purpose that appear only when the revision states them (docs/content-hash.md). */
type Stated = 'objectionMechanism' | 'legitimateInterestAssessment';

/**
 * A purpose as the canonical form (v2) holds it. Fields are picked one by one so that extra
 * runtime properties (e.g. from a database row) never leak into the hash; an absent flag is false.
 * The objection mechanism and the legitimate-interest assessment are members only when the
 * revision states them, so that the hash of every version published before they existed (and of
 * every revision without them) stays byte for byte what it was.
 */
export function canonicalPurpose(
  p: PurposeSnapshot,
): Omit<Record<keyof PurposeSnapshot, unknown>, Stated> & Partial<Record<Stated, unknown>> {
  const mechanism = p.objectionMechanism ?? null;
  const assessment = p.legitimateInterestAssessment ?? null;
  return {
    ...canonicalPurposeBase(p),
    ...(mechanism === null ? {} : { objectionMechanism: mechanismTree(mechanism) }),
    ...(assessment === null ? {} : { legitimateInterestAssessment: assessmentTree(assessment) }),
  };
}

function mechanismTree(m: ObjectionMechanism): Record<keyof ObjectionMechanism, unknown> {
  return { url: m.url ?? null, steps: m.steps ?? null, reasonsRequired: m.reasonsRequired === true };
}

function assessmentTree(
  a: LegitimateInterestAssessment,
): Record<keyof LegitimateInterestAssessment, unknown> {
  const dpia = a.dpia ?? null;
  return {
    interest: a.interest,
    necessity: a.necessity,
    reasonableExpectations: a.reasonableExpectations,
    impact: a.impact,
    safeguards: [...a.safeguards],
    excludedGroups: [...a.excludedGroups],
    author: a.author,
    assessedOn: a.assessedOn,
    dpia:
      dpia === null
        ? null
        : { reference: dpia.reference, url: dpia.url ?? null, date: dpia.date, outcome: dpia.outcome },
  };
}

/** The v2 members every purpose has. */
function canonicalPurposeBase(p: PurposeSnapshot): Omit<Record<keyof PurposeSnapshot, unknown>, Stated> {
  const adm = p.automatedDecisionMaking;
  const flag = (item: { explicitConsent?: boolean }) => item.explicitConsent === true;
  return {
    ...canonicalPurposeV1(p),
    specialCategories: p.specialCategories.map((s) => ({
      category: s.category,
      condition: s.condition,
      explicitConsent: flag(s),
    })),
    transfers: p.transfers.map((t) => ({
      destination: t.destination,
      safeguard: t.safeguard,
      explicitConsent: flag(t),
    })),
    automatedDecisionMaking:
      adm === null ? null : { logic: adm.logic, significance: adm.significance, explicitConsent: flag(adm) },
    explicitConsent: flag(p),
    basisChangeJustification: p.basisChangeJustification ?? null,
  };
}

/** A purpose in the v1 form: without the explicit-consent and basis-change statements. */
function canonicalPurposeV1(p: PurposeSnapshot): Omit<Record<keyof PurposeSnapshot, unknown>, V2Only> {
  const adm = p.automatedDecisionMaking;
  return {
    key: p.key,
    revision: p.revision,
    name: p.name,
    description: p.description,
    legalBasis: p.legalBasis,
    legitimateInterest: p.legitimateInterest,
    dataCategories: [...p.dataCategories],
    specialCategories: p.specialCategories.map((s) => ({ category: s.category, condition: s.condition })),
    dataSubjectCategories: [...p.dataSubjectCategories],
    dataSources: [...p.dataSources],
    publiclyAccessibleSources: p.publiclyAccessibleSources,
    recipients: [...p.recipients],
    retentionPeriodDays: p.retentionPeriodDays,
    retentionCriteria: p.retentionCriteria,
    transfers: p.transfers.map((t) => ({ destination: t.destination, safeguard: t.safeguard })),
    automatedDecisionMaking: adm === null ? null : { logic: adm.logic, significance: adm.significance },
    consentValidityDays: p.consentValidityDays,
  };
}

type V2Only = 'explicitConsent' | 'basisChangeJustification' | Stated;

// Two entries with the same sort key would make the order, and so the hash, depend on input order.
function sortUnique<T>(items: readonly T[], keyOf: (item: T) => string, what: string): T[] {
  const keyed = items.map((item) => ({ key: nfcChecked(keyOf(item)), item }));
  keyed.sort((a, b) => compareCodeUnits(a.key, b.key));
  for (let i = 1; i < keyed.length; i++) {
    if (keyed[i]!.key === keyed[i - 1]!.key) throw new TypeError(`Duplicate ${what} "${keyed[i]!.key}"`);
  }
  return keyed.map((k) => k.item);
}
