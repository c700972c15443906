import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';

/** SHA-256 over the canonical JSON of what a record says: equal content, equal hash. */
export function recordHash(content: Record<string, string | number | null>): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/**
 * What a notification record says, for its content hash. `template` is the content hash of the
 * message template revision it was sent with; a record without one leaves the member out, so
 * records made before templates existed hash exactly as they always did.
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

/** The members a notification's record hash covers: `template` only when there is one. */
export function notificationHashContent(content: NotificationContent): Record<string, string | null> {
  const { template, ...rest } = content;
  return template == null ? { ...rest } : { ...rest, template };
}

// Printable ASCII without `"` and `\`: NFC leaves it alone and JSON needs no escapes.
const plain = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * `recordHash` of a notification's content, byte for byte, without the generic canonical-JSON
 * walk: the keys are fixed and already in canonical order. Values that are not plain ASCII take
 * the generic path, so normalisation and escaping stay exactly as documented.
 */
export function notificationHash(content: NotificationContent): string {
  const { subject, version, channel, locale, occurredAt, campaign, senderMessageId } = content;
  const template = content.template ?? null;
  const values = [campaign, channel, locale, occurredAt, senderMessageId, subject, template, version];
  if (!values.every((value) => value === null || plain.test(value)))
    return recordHash(notificationHashContent(content));
  const quote = (value: string | null) => (value === null ? 'null' : `"${value}"`);
  const json =
    `{"campaign":${quote(campaign)},"channel":"${channel}","locale":"${locale}",` +
    `"occurredAt":"${occurredAt}","senderMessageId":${quote(senderMessageId)},` +
    `"subject":"${subject}",${template === null ? '' : `"template":"${template}",`}"version":"${version}"}`;
  return createHash('sha256').update(json).digest('hex');
}
