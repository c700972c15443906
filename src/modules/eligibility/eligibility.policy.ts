import { purposeState } from '../subject/subject.policy.js';
import { commonRules, inDecisionOrder, notRefusedBy } from './common.policy.js';
import { decideConsent } from './consent.policy.js';
import type { Eligibility, PurposeContext, SubjectFacts } from './eligibility.facts.js';
import { decideLawfulBasis } from './lawful-basis.policy.js';
import { decideLegitimateInterests } from './legitimate-interests.policy.js';
import type { PurposeRules } from './purpose-rules.js';
import { transparencyFinding } from './transparency.policy.js';

/**
 * May the subject's data be processed for the purpose at `context.at`? Pure: every rule is
 * applied here, to the records as of `at` (records that happened later are ignored): first the
 * rules common to every basis (common.policy.ts), then those of R's legal basis (consent,
 * legitimate interests, the other four). Whether the person was informed (Art. 13/14) is a
 * separate finding, given with every answer. The rules are documented in docs/eligibility.md;
 * the bulk SQL in eligibility.sql.ts must agree.
 */
export function decideEligibility(
  context: PurposeContext,
  rules: PurposeRules,
  subject: SubjectFacts,
): Eligibility {
  const { at, revision } = context;
  const facts: SubjectFacts = {
    erasedAt: subject.erasedAt,
    responses: inDecisionOrder(subject.responses),
    notifications: subject.notifications.filter(
      (notification) => notification.occurredAt.getTime() <= at.getTime(),
    ),
  };
  const common = commonRules(context, rules, facts);
  // With no revision in force commonRules always denies (PURPOSE_NOT_IN_FORCE, or earlier rules).
  if (revision === null) return { ...common!, transparency: null };
  const transparency = transparencyFinding(context, rules, facts.notifications);
  if (common !== null) return { ...common, transparency };

  const input = {
    context,
    rules,
    revision,
    facts,
    // An objection refused on compelling legitimate grounds by `at` does not stand (Art. 21(1)).
    state: purposeState(notRefusedBy(facts.responses, at), revision.consentValidityDays, at),
  };
  const verdict =
    revision.legalBasis === 'CONSENT'
      ? decideConsent(input)
      : revision.legalBasis === 'LEGITIMATE_INTERESTS'
        ? decideLegitimateInterests(input)
        : decideLawfulBasis(input, transparency);
  return { ...verdict, transparency };
}
