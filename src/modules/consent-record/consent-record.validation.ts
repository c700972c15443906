import { z } from 'zod';
import { isStorableText } from '../../lib/storable-text.js';

/** Who expressed a response (ISO/IEC TS 27560 "party"). */
export const responseActors = ['SUBJECT', 'GUARDIAN', 'AGENT'] as const;
/** How a response was collected (ISO/IEC TS 27560 "collection method"). */
export const collectionMethods = ['FORM', 'BANNER', 'EMAIL_LINK', 'API', 'PAPER'] as const;
/** Answers to a request for consent. */
export const consentKinds = ['CONSENT_GIVEN', 'CONSENT_REFUSED', 'CONSENT_WITHDRAWN'] as const;
/**
 * Answers that must state the notice version and locale shown: consent is "informed" only
 * against what the person was told (Art. 4(11), 7(1)). A withdrawal need not: it must be as easy
 * as giving consent (Art. 7(3)), so it is never refused for a missing notice (ADR 0033).
 */
export const noticeBoundKinds: readonly string[] = ['CONSENT_GIVEN', 'CONSENT_REFUSED'];

/** The consent-record fields a response item may state; all optional on the wire. */
export const consentRecordFields = {
  actor: z.enum(responseActors).nullish(),
  collectionMethod: z.enum(collectionMethods).nullish(),
  explicit: z.boolean().nullish(),
  locale: z
    .string()
    .min(2, 'must be a locale such as en or de-AT')
    .max(35, 'must be at most 35 characters')
    .refine(isStorableText, { message: 'must not contain U+0000 or an unpaired surrogate' })
    .nullish(),
};

export interface ConsentRecordFields {
  readonly kind: string;
  readonly noticeKey?: string | null | undefined;
  readonly locale?: string | null | undefined;
  readonly actor?: string | null | undefined;
  readonly collectionMethod?: string | null | undefined;
  readonly explicit?: boolean | null | undefined;
}

/** Why a consent answer cannot be recorded as it is, or null. */
export function consentNoticeProblem(
  item: ConsentRecordFields,
  versionLocales: readonly string[] | null,
): { code: string; message: string } | null {
  if (!noticeBoundKinds.includes(item.kind)) return null;
  if (!item.noticeKey || !item.locale) {
    return {
      code: 'CONSENT_NOTICE_REQUIRED',
      message: `${item.kind} must name the notice version (noticeKey, versionNumber) and the locale shown.`,
    };
  }
  if (versionLocales !== null && !versionLocales.includes(item.locale)) {
    return { code: 'LOCALE_NOT_IN_VERSION', message: `That version has no text in ${item.locale}.` };
  }
  return null;
}

/**
 * The consent-record members of a response's content hash: only those stated, so a response
 * recorded before these fields existed hashes as it always did, and a retry of it stays a duplicate.
 */
export function consentHashMembers(item: ConsentRecordFields): Record<string, string> {
  const members: Record<string, string> = {};
  if (item.actor != null) members.actor = item.actor;
  if (item.collectionMethod != null) members.collectionMethod = item.collectionMethod;
  if (item.explicit != null) members.explicit = String(item.explicit);
  if (item.locale != null) members.locale = item.locale;
  return members;
}
