import { addDays, dayMs } from '../../lib/time.js';
export type ResponseKind =
  | 'CONSENT_GIVEN'
  | 'CONSENT_REFUSED'
  | 'CONSENT_WITHDRAWN'
  | 'OBJECTED'
  | 'OBJECTION_WITHDRAWN';
export type ConsentState = 'NONE' | 'GIVEN' | 'REFUSED' | 'WITHDRAWN' | 'LAPSED';
export type ObjectionState = 'NONE' | 'STANDING' | 'WITHDRAWN';

export interface ResponseFact {
  readonly id: string;
  readonly kind: ResponseKind;
  readonly occurredAt: Date;
}

export interface PurposeState {
  readonly consent: ConsentState;
  readonly consentResponse: ResponseFact | null;
  readonly consentExpiresAt: Date | null;
  readonly objection: ObjectionState;
  readonly objectionResponse: ResponseFact | null;
}

/**
 * At the same instant a withdrawal of consent beats a refusal, which beats consent, and an
 * objection beats its withdrawal.
 */
const tieRank: Record<ResponseKind, number> = {
  CONSENT_GIVEN: 0,
  CONSENT_REFUSED: 1,
  CONSENT_WITHDRAWN: 2,
  OBJECTION_WITHDRAWN: 0,
  OBJECTED: 1,
};

function latest(
  responses: readonly ResponseFact[],
  kinds: readonly ResponseKind[],
  at: Date,
): ResponseFact | null {
  let found: ResponseFact | null = null;
  for (const response of responses) {
    if (!kinds.includes(response.kind) || response.occurredAt.getTime() > at.getTime()) continue;
    const time = response.occurredAt.getTime();
    const foundTime = found?.occurredAt.getTime() ?? Number.NEGATIVE_INFINITY;
    if (
      found === null ||
      time > foundTime ||
      (time === foundTime && tieRank[response.kind] >= tieRank[found.kind])
    ) {
      found = response;
    }
  }
  return found;
}

/**
 * The state at `at`, derived from the append-only responses by when they happened: the latest
 * consent answer and the latest objection answer decide. A consent lapses `validityDays` after
 * it was given.
 */
export function purposeState(
  responses: readonly ResponseFact[],
  validityDays: number | null,
  at: Date,
): PurposeState {
  const consentResponse = latest(responses, ['CONSENT_GIVEN', 'CONSENT_REFUSED', 'CONSENT_WITHDRAWN'], at);
  const objectionResponse = latest(responses, ['OBJECTED', 'OBJECTION_WITHDRAWN'], at);
  let consent: ConsentState = 'NONE';
  let consentExpiresAt: Date | null = null;
  if (consentResponse?.kind === 'CONSENT_WITHDRAWN') consent = 'WITHDRAWN';
  if (consentResponse?.kind === 'CONSENT_REFUSED') consent = 'REFUSED';
  if (consentResponse?.kind === 'CONSENT_GIVEN') {
    consentExpiresAt = validityDays === null ? null : addDays(consentResponse.occurredAt, validityDays);
    consent = consentExpiresAt !== null && consentExpiresAt.getTime() <= at.getTime() ? 'LAPSED' : 'GIVEN';
  }
  const objection: ObjectionState =
    objectionResponse === null ? 'NONE' : objectionResponse.kind === 'OBJECTED' ? 'STANDING' : 'WITHDRAWN';
  return { consent, consentResponse, consentExpiresAt, objection, objectionResponse };
}

export function daysBetween(from: Date, to: Date): number {
  return Math.round(((to.getTime() - from.getTime()) / dayMs) * 100) / 100;
}
