import { type BasisInput, iso, label, none, type Verdict, verdict } from './common.policy.js';

/**
 * CONSENT (Art. 6(1)(a), 7): the latest consent answer is a consent that names the version the
 * person saw, that version still describes the purpose in its current form, and it has not lapsed.
 */
export function decideConsent({ context, rules, revision, facts, state }: BasisInput): Verdict {
  const response = state.consentResponse;
  if (state.consent === 'NONE' || response === null) {
    return verdict(
      'CONSENT_MISSING',
      revision,
      none,
      `No consent to ${context.purposeKey} recorded by ${iso(context.at)}.`,
    );
  }
  const versionId = facts.responses.find((candidate) => candidate.id === response.id)?.versionId ?? null;
  const evidence = { ...none, responseId: response.id, versionId };
  if (state.consent === 'WITHDRAWN') {
    return verdict(
      'CONSENT_WITHDRAWN',
      revision,
      evidence,
      `Consent withdrawn on ${iso(response.occurredAt)}.`,
    );
  }
  if (state.consent === 'REFUSED') {
    return verdict(
      'CONSENT_REFUSED',
      revision,
      evidence,
      `Consent refused on ${iso(response.occurredAt)}: a refusal is not consent, whatever was given before.`,
    );
  }
  if (versionId === null) {
    return verdict(
      'CONSENT_VERSION_UNKNOWN',
      revision,
      evidence,
      `Consent given on ${iso(response.occurredAt)} without naming the notice version shown: what the person was told cannot be shown.`,
    );
  }
  if (!rules.consentCurrent.has(versionId)) {
    const version = context.versions.find((candidate) => candidate.id === versionId);
    return verdict(
      'CONSENT_OUTDATED',
      revision,
      evidence,
      `Consent given on ${iso(response.occurredAt)} for ${version ? label(version) : 'another version'} does not cover revision ${revision.number} of ${context.purposeKey}, in force since ${iso(revision.createdAt)}.`,
    );
  }
  if (state.consent === 'LAPSED') {
    return verdict(
      'CONSENT_LAPSED',
      revision,
      evidence,
      `Consent given on ${iso(response.occurredAt)} lapsed on ${iso(state.consentExpiresAt!)} (valid ${revision.consentValidityDays} days).`,
    );
  }
  return verdict(
    'CONSENT_GIVEN',
    revision,
    evidence,
    `Consent given on ${iso(response.occurredAt)} and neither withdrawn nor lapsed.`,
  );
}
