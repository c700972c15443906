import type { NotificationColumns } from '../notification/notification-columns.js';
import type { RawEventItem } from '../notification/record-events.js';
import type { RawResponseItem } from '../notification/record-responses.js';
import { aiTraining, newsletter } from './purposes.js';
import { demoTimeline as at } from './timeline.js';

/**
 * The demo's people and what happened to them, computed from their number alone: the same
 * every time. demo-user-0001 (DE) was reached by e-mail and subscribed to the newsletter,
 * demo-user-0002 (FR) acknowledged the in-app notice and objected to AI training,
 * demo-user-0003 (AT) bounced and is on the campaign's follow-up list.
 */
export const demoPeople = 3_000;
/** People 1..2,800 get the campaign of version 4; the others are "not yet notified". */
export const campaignAudience = 2_800;
export const noticeKey = 'privacy-policy';

const profiles = [
  { jurisdiction: 'IE', subjectLocale: 'en-IE', locale: 'en' },
  { jurisdiction: 'DE', subjectLocale: 'de-DE', locale: 'de' },
  { jurisdiction: 'FR', subjectLocale: 'fr-FR', locale: 'fr' },
  { jurisdiction: 'AT', subjectLocale: 'de-AT', locale: 'de' },
  { jurisdiction: 'BE', subjectLocale: 'fr-BE', locale: 'fr' },
  { jurisdiction: 'NL', subjectLocale: 'nl-NL', locale: 'en' },
] as const;

export const demoRef = (person: number) => `demo-user-${String(person).padStart(4, '0')}`;
const profile = (person: number) => profiles[person % profiles.length]!;
const people = (count: number) => Array.from({ length: count }, (_, index) => index + 1);
const plus = (date: Date, minutes: number) => new Date(date.getTime() + minutes * 60_000);

/** Every person is told of version 3 by e-mail, over five days from `aiNotifications`. */
export function versionThreeNotifications(): NotificationColumns {
  const all = people(demoPeople);
  return {
    noticeKey,
    versionNumber: 3,
    subjectRefs: all.map(demoRef),
    idempotencyKeys: all.map((person) => `demo-v3:${demoRef(person)}`),
    channels: all.map(() => 'EMAIL'),
    locales: all.map((person) => profile(person).locale),
    occurredAt: all.map((person) => plus(at.aiNotifications, (person % 5) * 1_440 + (person % 600))),
    jurisdictions: all.map((person) => profile(person).jurisdiction),
    subjectLocales: all.map((person) => profile(person).subjectLocale),
    senderMessageIds: all.map((person) => `mailer-2025-10-${person}`),
    templateKeys: all.map(() => 'notice-change'),
    templateRevisions: all.map(() => 1),
  };
}

const campaignChannel = (person: number) => (person % 5 === 2 ? 'IN_APP' : 'EMAIL');
const campaignSentAt = (person: number) =>
  plus(at.campaignStart, ((person - 1) % 10) * 1_440 + (person % 480));

/** The campaign of version 4: people 1..2,800, in-app for every fifth, else e-mail, over ten days. */
export function campaignNotifications(campaignId: string): NotificationColumns {
  const audience = people(campaignAudience);
  const email = (person: number) => campaignChannel(person) === 'EMAIL';
  return {
    noticeKey,
    versionNumber: 4,
    campaignId,
    subjectRefs: audience.map(demoRef),
    idempotencyKeys: audience.map((person) => `demo-v4:${demoRef(person)}`),
    channels: audience.map(campaignChannel),
    locales: audience.map((person) => profile(person).locale),
    occurredAt: audience.map(campaignSentAt),
    jurisdictions: audience.map((person) => profile(person).jurisdiction),
    subjectLocales: audience.map((person) => profile(person).subjectLocale),
    senderMessageIds: audience.map((person) => (email(person) ? `mailer-2026-11-${person}` : null)),
    templateKeys: audience.map((person) => (email(person) ? 'notice-change' : null)),
    templateRevisions: audience.map((person) => (email(person) ? 2 : null)),
  };
}

/** What the e-mail provider and the app reported for the campaign. */
function campaignEvents(person: number): { type: string; after: number }[] {
  if (campaignChannel(person) === 'IN_APP') {
    if (person % 4 === 0) return [];
    return person % 3 === 2
      ? [
          { type: 'DISPLAYED', after: 90 },
          { type: 'ACKNOWLEDGED', after: 92 },
        ]
      : [{ type: 'DISPLAYED', after: 90 }];
  }
  const sent = { type: 'SENT', after: 0 };
  if (person % 50 === 3) return [sent, { type: 'BOUNCED', after: 1 }];
  if (person % 97 === 0) return [sent, { type: 'FAILED', after: 1 }];
  if (person % 13 === 0) return [sent];
  const delivered = [sent, { type: 'DELIVERED', after: 1 }];
  return person % 3 === 1 ? [...delivered, { type: 'OPENED', after: 240 }] : delivered;
}

/** Delivery events: version 3's e-mails were delivered (bar a few bounces), and the campaign's. */
export function demoEvents(): RawEventItem[] {
  const events: RawEventItem[] = [];
  for (const person of people(demoPeople)) {
    const sentAt = plus(at.aiNotifications, (person % 5) * 1_440 + (person % 600));
    events.push({
      notificationIdempotencyKey: `demo-v3:${demoRef(person)}`,
      type: person % 60 === 7 ? 'BOUNCED' : 'DELIVERED',
      occurredAt: plus(sentAt, 1),
    });
  }
  for (const person of people(campaignAudience)) {
    for (const event of campaignEvents(person)) {
      events.push({
        notificationIdempotencyKey: `demo-v4:${demoRef(person)}`,
        type: event.type,
        occurredAt: plus(campaignSentAt(person), event.after),
        detail: event.type === 'BOUNCED' ? 'mailbox unavailable' : null,
      });
    }
  }
  return events;
}

/** Consents to the newsletter, objections to AI training, and a few changes of mind. */
export function demoResponses(): RawResponseItem[] {
  const responses: RawResponseItem[] = [];
  const answer = (
    person: number,
    purposeKey: string,
    kind: string,
    occurredAt: Date,
    version: number,
    channel = 'WEB_BANNER',
  ) =>
    responses.push({
      subjectRef: demoRef(person),
      purposeKey,
      kind,
      occurredAt: plus(occurredAt, person % 720),
      channel,
      noticeKey,
      versionNumber: version,
      idempotencyKey: `demo-response:${demoRef(person)}:${purposeKey}:${kind}:${version}`,
      // A consent names the locale of the notice shown (docs/consent-records.md).
      ...(kind === 'CONSENT_GIVEN'
        ? { locale: 'en', actor: 'SUBJECT', collectionMethod: channel === 'EMAIL' ? 'EMAIL_LINK' : 'BANNER' }
        : {}),
      // Some objections come with the person's reasons (Art. 21(1)); none are required.
      ...(kind === 'OBJECTED' && person % 60 === 2
        ? { objection: { grounds: 'My posts are about my illness; I do not want them in a model.' } }
        : {}),
    });
  for (const person of people(demoPeople)) {
    if (person % 4 === 1) answer(person, newsletter.key, 'CONSENT_GIVEN', at.newsletterConsents, 1);
    if (person % 40 === 21) answer(person, newsletter.key, 'CONSENT_WITHDRAWN', at.someWithdraw, 2);
    if (person % 20 === 2) answer(person, aiTraining.key, 'OBJECTED', at.aiObjections, 3, 'EMAIL');
    if (person % 100 === 42)
      answer(person, aiTraining.key, 'OBJECTION_WITHDRAWN', at.campaignLateAnswers, 4, 'IN_APP');
    if (person > campaignAudience) continue;
    if (person % 25 === 7) answer(person, aiTraining.key, 'OBJECTED', at.campaignAnswers, 4, 'IN_APP');
    if (person % 8 === 1) answer(person, newsletter.key, 'CONSENT_GIVEN', at.campaignAnswers, 4, 'EMAIL');
  }
  return responses;
}
