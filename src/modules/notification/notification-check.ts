import type { NotificationItem } from './notification.validation.js';
import { channels, futureToleranceMs, maxRefLength, storable } from './notification.validation.js';

const recordKeyPattern = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
const countryPattern = /^[A-Z]{2}$/;
const channelSet: ReadonlySet<string> = new Set(channels);

function text(value: unknown, min: number, max: number): boolean {
  return typeof value === 'string' && value.length >= min && value.length <= max && storable(value);
}

function optionalText(value: unknown, min: number, max: number): boolean {
  return value === null || value === undefined || text(value, min, max);
}

/**
 * The hot path of bulk ingest: true only for an item the zod schema (`notificationItemSchema`)
 * accepts as it is, checked without building issue lists or copies. Anything else goes to the
 * zod schema, which says precisely what is wrong. It may be stricter than zod, never looser
 * (a test holds the two together).
 */
export function isCleanNotificationItem(raw: object, now: Date): raw is NotificationItem {
  const item = raw as Record<string, unknown>;
  const occurredAt = item.occurredAt;
  return (
    text(item.subjectRef, 1, maxRefLength) &&
    text(item.idempotencyKey, 1, maxRefLength) &&
    typeof item.noticeKey === 'string' &&
    recordKeyPattern.test(item.noticeKey) &&
    typeof item.versionNumber === 'number' &&
    Number.isSafeInteger(item.versionNumber) &&
    item.versionNumber >= 1 &&
    typeof item.channel === 'string' &&
    channelSet.has(item.channel) &&
    text(item.locale, 2, 35) &&
    occurredAt instanceof Date &&
    occurredAt.getTime() <= now.getTime() + futureToleranceMs &&
    (item.jurisdiction === null ||
      item.jurisdiction === undefined ||
      (typeof item.jurisdiction === 'string' && countryPattern.test(item.jurisdiction))) &&
    optionalText(item.subjectLocale, 2, 35) &&
    optionalText(item.campaignId, 1, Number.POSITIVE_INFINITY) &&
    optionalText(item.senderMessageId, 1, 512) &&
    isCleanTemplateRef(item.template)
  );
}

/** No template, or `{ key, revision }` as `templateRef` accepts it. */
function isCleanTemplateRef(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  const ref = value as Record<string, unknown>;
  return (
    typeof value === 'object' &&
    typeof ref.key === 'string' &&
    recordKeyPattern.test(ref.key) &&
    typeof ref.revision === 'number' &&
    Number.isSafeInteger(ref.revision) &&
    ref.revision >= 1
  );
}
