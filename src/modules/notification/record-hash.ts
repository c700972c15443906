import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';

/** SHA-256 over the canonical JSON of what a record says: equal content, equal hash. */
export function recordHash(content: Record<string, string | number | null>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * The record-hash formats (`hashFormat` of a notification or response, docs/evidence-bundle.md):
 * 1 committed to the person's keyed reference hash, so whoever holds the secret and a user ID
 * could recompute it and re-link records even after an erasure; 2 commits to the subject's
 * opaque record ID instead and leaves out the sender's message ID, so an erasure never changes it
 * and nothing outside the registry's own rows links it to a person. New records are format 2;
 * erasure re-hashes a person's format-1 records to format 2.
 */
export type RecordHashFormat = 1 | 2;
export const currentRecordHashFormat: RecordHashFormat = 2;
export const notificationFormatV2 = 'notarium.notification.v2';
export const responseFormatV2 = 'notarium.response.v2';

/**
 * What a notification record says, for its content hash. `subject` is the subject's reference
 * hash in format 1 and its record ID in format 2. `template` is the content hash of the message
 * template revision it was sent with; format 1 leaves the member out when there is none, so
 * records made before templates existed hash exactly as they always did. `senderMessageId` is
 * covered by format 1 only.
 */
export interface NotificationContent {
  readonly subject: string;
  readonly version: string;
  readonly channel: string;
  readonly locale: string;
  readonly occurredAt: string;
  readonly campaign: string | null;
  readonly senderMessageId: string | null;
  readonly template?: string | null;
}

/** What a response record says, for its content hash (`subject` as for notifications). */
export interface ResponseContent {
  readonly subject: string;
  readonly purpose: string;
  readonly kind: string;
  readonly occurredAt: string;
  readonly channel: string;
  readonly version: string | null;
  /** Members stated only when given (the consent-record fields): absent ones leave the hash as it was. */
  readonly members?: Readonly<Record<string, string>>;
}

/** The members a notification's record hash covers in the given format. */
export function notificationHashContent(
  content: NotificationContent,
  format: RecordHashFormat = 1,
): Record<string, string | null> {
  const { template, senderMessageId, ...rest } = content;
  if (format === 2) return { ...rest, format: notificationFormatV2, template: template ?? null };
  return template == null ? { ...rest, senderMessageId } : { ...rest, senderMessageId, template };
}

/** The members a response's record hash covers in the given format. */
export function responseHashContent(
  content: ResponseContent,
  format: RecordHashFormat = 1,
): Record<string, string | null> {
  const { members, ...rest } = content;
  return format === 2 ? { ...members, ...rest, format: responseFormatV2 } : { ...members, ...rest };
}

/** A response's record hash: the one place it is computed (writes, erasure, bundle verification). */
export function responseHash(
  content: ResponseContent,
  format: RecordHashFormat = currentRecordHashFormat,
): string {
  return recordHash(responseHashContent(content, format));
}

// Printable ASCII without `"` and `\`: NFC leaves it alone and JSON needs no escapes.
const plain = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * A notification's record hash: the one place it is computed (writes, erasure, bundle
 * verification). Byte for byte `recordHash(notificationHashContent(content, format))`, without
 * the generic canonical-JSON walk: the keys are fixed and already in canonical order. Values that
 * are not plain ASCII take the generic path, so normalisation and escaping stay as documented.
 */
export function notificationHash(
  content: NotificationContent,
  format: RecordHashFormat = currentRecordHashFormat,
): string {
  const { subject, version, channel, locale, occurredAt, campaign } = content;
  const senderMessageId = format === 1 ? content.senderMessageId : null;
  const template = content.template ?? null;
  const values = [campaign, channel, locale, occurredAt, senderMessageId, subject, template, version];
  if (!values.every((value) => value === null || plain.test(value)))
    return recordHash(notificationHashContent(content, format));
  const quote = (value: string | null) => (value === null ? 'null' : `"${value}"`);
  const json =
    format === 2
      ? `{"campaign":${quote(campaign)},"channel":"${channel}","format":"${notificationFormatV2}",` +
        `"locale":"${locale}","occurredAt":"${occurredAt}","subject":"${subject}",` +
        `"template":${quote(template)},"version":"${version}"}`
      : `{"campaign":${quote(campaign)},"channel":"${channel}","locale":"${locale}",` +
        `"occurredAt":"${occurredAt}","senderMessageId":${quote(senderMessageId)},` +
        `"subject":"${subject}",${template === null ? '' : `"template":"${template}",`}"version":"${version}"}`;
  return createHash('sha256').update(json).digest('hex');
}
