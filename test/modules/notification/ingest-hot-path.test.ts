import { describe, expect, it } from 'vitest';
import { notificationItemSchema } from '../../../src/modules/notification/notification.validation.js';
import { isCleanNotificationItem } from '../../../src/modules/notification/notification-check.js';
import {
  notificationHash,
  notificationHashContent,
  recordHash,
} from '../../../src/modules/notification/record-hash.js';

const now = new Date('2026-11-29T12:00:00.000Z');

function item(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    subjectRef: 'user-1',
    jurisdiction: 'DE',
    subjectLocale: 'de-DE',
    noticeKey: 'privacy-policy',
    versionNumber: 3,
    channel: 'EMAIL',
    locale: 'de',
    occurredAt: new Date('2026-11-29T11:00:00.000Z'),
    campaignId: 'Q2FtcGFpZ246MQ==',
    senderMessageId: 'msg-1',
    idempotencyKey: 'n-1',
    ...overrides,
  };
}

// Each variant changes one field; together they cover every rule of the item schema.
const variants: Record<string, unknown>[] = [
  {},
  { jurisdiction: null, subjectLocale: undefined, campaignId: null, senderMessageId: undefined },
  { subjectRef: '' },
  { subjectRef: 'x'.repeat(256) },
  { subjectRef: 'x'.repeat(257) },
  { subjectRef: 42 },
  { idempotencyKey: '' },
  { idempotencyKey: 'k'.repeat(257) },
  { jurisdiction: 'de' },
  { jurisdiction: 'DEU' },
  { subjectLocale: 'd' },
  { subjectLocale: 'x'.repeat(36) },
  { noticeKey: 'Privacy' },
  { noticeKey: '-bad' },
  { noticeKey: 'a'.repeat(65) },
  { versionNumber: 0 },
  { versionNumber: 1.5 },
  { versionNumber: Number.NaN },
  { versionNumber: '1' },
  { channel: 'FAX' },
  { channel: 'IN_APP' },
  { locale: 'e' },
  { locale: 'x'.repeat(36) },
  { occurredAt: new Date(now.getTime() + 5 * 60_000) },
  { occurredAt: new Date(now.getTime() + 5 * 60_000 + 1) },
  { occurredAt: new Date('invalid') },
  { occurredAt: '2026-11-29T11:00:00.000Z' },
  { campaignId: '' },
  { senderMessageId: '' },
  { senderMessageId: 'm'.repeat(512) },
  { senderMessageId: 'm'.repeat(513) },
  { senderMessageId: 'nul\u0000inside' },
  { idempotencyKey: 'k\u0000' },
  { locale: 'e\u0000' },
  { subjectLocale: 'de\u0000' },
  { idempotencyKey: 'lone \ud800 surrogate' },
  { senderMessageId: 'lone \udc00 surrogate' },
  { senderMessageId: 'paired \ud83d\udcec surrogates' },
  { template: null },
  { template: { key: 'notice-change', revision: 2 } },
  { template: { key: 'Notice-Change', revision: 2 } },
  { template: { key: 'notice-change', revision: 0 } },
  { template: { key: 'notice-change', revision: 1.5 } },
  { template: { key: 'notice-change', revision: '2' } },
  { template: { key: 'notice-change' } },
  { template: { revision: 2 } },
  { template: { key: null, revision: 2 } },
  { template: 'notice-change#2' },
  { template: [] },
];

// Accepted by zod, but sent to zod rather than accepted by the plain check (stricter is allowed).
const stricter: Record<string, unknown>[] = [
  { subjectRef: 'a reference with \u0000 is only hashed' },
  { subjectRef: 'a lone \ud800 is only hashed too' },
];

describe('the bulk ingest hot path', () => {
  it('accepts an item without zod only when the zod schema accepts it too', () => {
    const schema = notificationItemSchema(now);
    for (const overrides of variants) {
      const candidate = item(overrides);
      const clean = isCleanNotificationItem(candidate, now);
      const parsed = schema.safeParse(candidate).success;
      expect({ overrides, clean }).toEqual({ overrides, clean: parsed });
    }
    for (const overrides of stricter) {
      const candidate = item(overrides);
      expect(isCleanNotificationItem(candidate, now)).toBe(false);
      expect(schema.safeParse(candidate).success).toBe(true);
    }
  });

  it('hashes a notification byte for byte as the canonical-JSON record hash does', () => {
    const base = {
      subject: 'c3ViamVjdC1yZWYtaGFzaA',
      version: '0b9b7a5e-6a61-4f55-9f4e-1d2b1c6f0e11',
      channel: 'EMAIL',
      locale: 'de',
      occurredAt: '2026-11-29T11:00:00.000Z',
      campaign: null as string | null,
      senderMessageId: null as string | null,
    };
    const cases = [
      base,
      { ...base, campaign: '7d3f4c2a-1111-4e5e-8a9b-0c1d2e3f4a5b', senderMessageId: 'msg-1' },
      { ...base, senderMessageId: 'quote " and backslash \\' },
      { ...base, senderMessageId: 'tab\tnewline\n' },
      { ...base, senderMessageId: 'Cafe\u0301 (decomposed)' },
      { ...base, senderMessageId: 'emoji 📬 and umlaut ü' },
      { ...base, locale: 'pt-BR', senderMessageId: '' },
      { ...base, template: `sha256:${'ab'.repeat(32)}` },
      { ...base, template: `sha256:${'ab'.repeat(32)}`, senderMessageId: 'emoji 📬' },
    ];
    for (const content of cases) expect(notificationHash(content, 1)).toBe(recordHash({ ...content }));
    // Format 1 without a template: the member is left out, never written as null, so older records keep their hash.
    expect(notificationHash({ ...base, template: null }, 1)).toBe(notificationHash(base, 1));
    expect(recordHash(notificationHashContent({ ...base, template: null }))).toBe(recordHash({ ...base }));
    expect(notificationHash({ ...base, template: null }, 1)).not.toBe(
      recordHash({ ...base, template: null }),
    );
    expect(notificationHash(cases[4]!, 1)).toBe(
      notificationHash({ ...cases[4]!, senderMessageId: 'Caf\u00e9 (decomposed)' }, 1),
    );
    // Format 2 (the default): the subject member is the subject's ID, `template` is always there,
    // the sender's message ID is not covered, and the format is named.
    for (const content of cases) {
      const { senderMessageId: _ignored, ...rest } = content;
      const template = (content as { template?: string | null }).template;
      const expected = recordHash({
        ...rest,
        template: template ?? null,
        format: 'notarium.notification.v2',
      });
      expect(notificationHash(content)).toBe(expected);
      expect(notificationHash(content, 2)).toBe(recordHash(notificationHashContent(content, 2)));
    }
    expect(notificationHash({ ...base, senderMessageId: 'msg-1' })).toBe(notificationHash(base));
    expect(notificationHash(base)).not.toBe(notificationHash(base, 1));
  });
});
