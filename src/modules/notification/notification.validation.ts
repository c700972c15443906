import { z } from 'zod';
import { isStorableText } from '../../lib/storable-text.js';
import { consentRecordFields } from '../consent-record/consent-record.validation.js';
import { objectionDetails } from '../objection/objection.validation.js';
import { recordKey } from '../purpose/purpose.validation.js';

export const channels = ['EMAIL', 'IN_APP', 'PUSH', 'SMS', 'POSTAL', 'WEB_BANNER', 'OTHER'] as const;
export const eventTypes = [
  'SENT',
  'DELIVERED',
  'BOUNCED',
  'FAILED',
  'OPENED',
  'ACKNOWLEDGED',
  'DISMISSED',
  'DISPLAYED',
] as const;
export const responseKinds = [
  'CONSENT_GIVEN',
  'CONSENT_WITHDRAWN',
  'OBJECTED',
  'OBJECTION_WITHDRAWN',
  'CONSENT_REFUSED',
] as const;

export const maxBatchSize = 10_000;
export const futureToleranceMs = 5 * 60 * 1000;
export const maxRefLength = 256;

export const subjectRef = z
  .string()
  .min(1, 'must not be empty')
  .max(maxRefLength, `must be at most ${maxRefLength} characters`);
/**
 * PostgreSQL text cannot hold U+0000, and an unpaired surrogate has no UTF-8 form: refused here,
 * item by item, rather than failing the whole batch when it is written.
 */
export const storable = isStorableText;
const storableMessage = { message: 'must not contain U+0000 or an unpaired surrogate' };

/** Free text that is stored: no NUL character. */
export function storedText(min: number, max: number) {
  return z.string().min(min).max(max).refine(storable, storableMessage);
}

export const idempotencyKey = z
  .string()
  .min(1, 'must not be empty')
  .max(maxRefLength, `must be at most ${maxRefLength} characters`)
  .refine(storable, storableMessage);
export const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE');

/** Back-dated imports are fine; a time more than five minutes ahead of the server clock is not. */
export function notInFuture(now: Date) {
  return z.date().refine((value) => value.getTime() <= now.getTime() + futureToleranceMs, {
    message: 'must not be more than 5 minutes in the future',
  });
}

/** The template revision a notification was sent with; its channel and locale are the notification's. */
export const templateRef = z.object({
  key: recordKey,
  revision: z.number().int('must be a whole number').min(1, 'must be 1 or more'),
});

export function notificationItemSchema(now: Date) {
  return z.object({
    subjectRef,
    jurisdiction: country.nullish(),
    subjectLocale: storedText(2, 35).nullish(),
    noticeKey: recordKey,
    versionNumber: z.number().int().min(1, 'must be 1 or more'),
    channel: z.enum(channels),
    locale: storedText(2, 35),
    occurredAt: notInFuture(now),
    campaignId: z.string().min(1).nullish(),
    senderMessageId: storedText(1, 512).nullish(),
    idempotencyKey,
    template: templateRef.nullish(),
  });
}

export type NotificationItem = z.output<ReturnType<typeof notificationItemSchema>>;

export function eventItemSchema(now: Date) {
  return z
    .object({
      notificationId: z.string().min(1).nullish(),
      notificationIdempotencyKey: idempotencyKey.nullish(),
      type: z.enum(eventTypes),
      occurredAt: notInFuture(now),
      detail: storedText(0, 2_000).nullish(),
    })
    .refine((item) => Boolean(item.notificationId) !== Boolean(item.notificationIdempotencyKey), {
      message: 'give exactly one of notificationId and notificationIdempotencyKey',
      path: ['notificationId'],
    });
}

export type EventItem = z.output<ReturnType<typeof eventItemSchema>>;

export function responseItemSchema(now: Date) {
  return z
    .object({
      subjectRef,
      purposeKey: recordKey,
      kind: z.enum(responseKinds),
      occurredAt: notInFuture(now),
      channel: z.enum(channels),
      noticeKey: recordKey.nullish(),
      versionNumber: z.number().int().min(1).nullish(),
      idempotencyKey,
      ...consentRecordFields,
      objection: objectionDetails.nullish(),
    })
    .refine((item) => Boolean(item.noticeKey) === (item.versionNumber != null), {
      message: 'give noticeKey and versionNumber together, or neither',
      path: ['versionNumber'],
    })
    .refine((item) => item.objection == null || item.kind === 'OBJECTED', {
      message: 'applies only to an OBJECTED response',
      path: ['objection'],
    });
}

export type ResponseItem = z.output<ReturnType<typeof responseItemSchema>>;
