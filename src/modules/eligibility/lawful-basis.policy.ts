import { type BasisInput, objected, objectionEvidence, type Verdict, verdict } from './common.policy.js';
import type { TransparencyFinding } from './eligibility.facts.js';

const articles: Record<string, string> = {
  CONTRACT: 'Art. 6(1)(b)',
  LEGAL_OBLIGATION: 'Art. 6(1)(c)',
  VITAL_INTERESTS: 'Art. 6(1)(d)',
  PUBLIC_TASK: 'Art. 6(1)(e)',
};

/**
 * CONTRACT, LEGAL_OBLIGATION, VITAL_INTERESTS, PUBLIC_TASK (Art. 6(1)(b)–(e)): the basis makes
 * processing lawful whether or not the person was told; telling them is a separate duty
 * (Art. 13/14), reported as the transparency finding, never as a denial. Under PUBLIC_TASK a
 * standing objection denies (Art. 21(1)).
 */
export function decideLawfulBasis(input: BasisInput, transparency: TransparencyFinding): Verdict {
  const { context, revision } = input;
  const objection = objected(input);
  if (objection) return objection;
  const informed =
    transparency.status === 'NONE'
      ? 'not informed of any version covering it (Art. 13/14: a separate finding)'
      : `informed ${transparency.status === 'CURRENT' ? 'of the version in force' : 'only of another version'} (see transparency)`;
  return verdict(
    'LAWFUL_BASIS',
    revision,
    {
      versionId: transparency.versionId,
      notificationId: transparency.notificationId,
      eventId: transparency.eventId,
      responseId: objectionEvidence(input),
    },
    `Processing for ${context.purposeKey} rests on ${revision.legalBasis} (${articles[revision.legalBasis]}), which does not depend on notification; the person was ${informed}.`,
  );
}
