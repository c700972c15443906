import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { translationHash } from '../../../src/modules/notice/translation-hash.js';
import type { EventType } from '../../../src/modules/notification/notification.policy.js';
import { eventTypes } from '../../../src/modules/notification/notification.validation.js';
import {
  type Channel,
  defaultReachEvidence,
  type EvidenceStrength,
  notReachEvents,
} from '../../../src/modules/notification/reach.policy.js';
import type { NotificationEventInput, NotificationInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  inDays,
  publishAsOf,
  publishedNoticeAsOf,
  translations,
} from '../../support/notice-fixtures.js';
import { recordWithEvents } from '../../support/record-with-events.js';
import { type TestContext, useTestApp } from '../../support/test-app.js';

const notificationsDoc = readFileSync(new URL('../../../docs/notifications.md', import.meta.url), 'utf8');

/** The lines of docs/notifications.md between two headings. */
function section(from: string, to: string): string[] {
  const start = notificationsDoc.indexOf(from);
  const end = notificationsDoc.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`no section ${from}`);
  return notificationsDoc.slice(start, end).split('\n');
}

const backticked = (cell: string) => [...cell.matchAll(/`([A-Z_]+)`/g)].map((found) => found[1]!);

/** "The defaults": `| \`CHANNEL\` | \`EVENT\`, … | article |`. */
function reachTable() {
  return section('### The defaults', 'Why these:')
    .filter((line) => /^\| `[A-Z_]+` \|/.test(line))
    .map((line) => {
      const match = /^\| `([A-Z_]+)` \| ((?:`[A-Z_]+`(?:, )?)+) \| (Art\. .+) \|$/.exec(line);
      if (!match) throw new Error(`not a decision-table row: ${line}`);
      return { channel: match[1] as Channel, events: backticked(match[2]!) as EventType[] };
    });
}

/** "Evidence strength": `| events | \`STRENGTH\` | article |`; "(with any others)" means every type. */
function strengthTable() {
  return section('### Evidence strength', '## Proof:')
    .filter((line) => /^\| (`[A-Z_]+`|\(none\))/.test(line))
    .map((line) => {
      const match = /^\| ([^|]+) \| `([A-Z_]+)` \| (Art\. .+) \|$/.exec(line);
      if (!match) throw new Error(`not a decision-table row: ${line}`);
      const cell = match[1]!.trim();
      const events = cell.includes('(with any others)') ? [...eventTypes] : (backticked(cell) as EventType[]);
      return { cell, events, strength: match[2] as EvidenceStrength };
    });
}

/** The proof's lead-time table: `| P1 | condition | verdict | article |`. */
function leadTimeTable() {
  return notificationsDoc
    .split('\n')
    .filter((line) => /^\| P\d \|/.test(line))
    .map((line) => {
      const match = /^\| (P\d) \| ([^|]+) \| ([^|]+) \| (Art\. .+) \|$/.exec(line);
      if (!match) throw new Error(`not a decision-table row: ${line}`);
      return { row: match[1]!, verdict: match[3]!.trim() };
    });
}

const Proof = graphql(`
  query ReachProof($ref: String!, $noticeKey: String!) {
    viewer {
      controller {
        reachEvidence {
          channel
          eventTypes
        }
      }
    }
    subject(ref: $ref) {
      notificationProof(noticeKey: $noticeKey, version: 1) {
        __typename
        ... on NotificationProof {
          contentHash
          version {
            effectiveFrom
          }
          notifications {
            notification {
              idempotencyKey
              locale
            }
            evidenceStrength
            countingEvents
            reached
            reachedAt
            textHash
          }
          reached
          firstReachedAt
          daysBeforeEffective
          minimumNoticeDays
          leadTimeEndsAt
          leadTimeMet
        }
      }
    }
  }
`);

const SetSettings = graphql(`
  mutation ProofSettings($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
    }
  }
`);

const dayMs = 24 * 60 * 60 * 1000;
const published = new Date(Date.now() - 40 * dayMs);
const hoursAfterPublication = (hours: number) => new Date(published.getTime() + hours * 3_600_000);

const t = useTestApp();

/** A tenant with notice `reach` version 1, published 40 days ago and effective about now. */
async function tenantWithNotice(test: TestContext) {
  const tenant = await makeTenant(test.database.prisma);
  await publishedNoticeAsOf(test.app, test.database, tenant.keys.EDITOR, 'reach', published);
  return tenant;
}

type Keys = Awaited<ReturnType<typeof makeTenant>>['keys'];

function notification(key: string, subjectRef: string, channel: Channel, occurredAt: Date, locale = 'en') {
  return {
    idempotencyKey: key,
    subjectRef,
    channel,
    noticeKey: 'reach',
    versionNumber: 1,
    locale,
    occurredAt: occurredAt.toISOString(),
  } satisfies NotificationInput;
}

function event(key: string, type: EventType, occurredAt: Date): NotificationEventInput {
  return { notificationIdempotencyKey: key, type, occurredAt: occurredAt.toISOString() };
}

const record = (keys: Keys, items: NotificationInput[], events: NotificationEventInput[]) =>
  recordWithEvents(t.app, keys.NOTIFIER, items, events);

async function proofOf(keys: Keys, ref: string, noticeKey = 'reach') {
  const data = expectData(await execute(t.app, Proof, { key: keys.AUDITOR, variables: { ref, noticeKey } }));
  const proof = data.subject?.notificationProof;
  if (proof?.__typename !== 'NotificationProof') throw new Error(JSON.stringify(data));
  return { proof, rules: data.viewer.controller.reachEvidence };
}

describe('what counts as reaching a person (docs/notifications.md, "The defaults")', () => {
  let keys: Keys;
  beforeAll(async () => {
    ({ keys } = await tenantWithNotice(t));
  });

  it.each(reachTable())('$channel: reached by $events, never by sending alone', async ({
    channel,
    events,
  }) => {
    // The documented defaults are the code's, and the controller shows them.
    expect([...events].sort()).toEqual([...defaultReachEvidence[channel]].sort());
    const ref = `reach-${channel}`;
    const sentAt = hoursAfterPublication(1);
    const notCounting = eventTypes.filter((type) => !events.includes(type) && type !== 'SENT');
    const cases = [
      ...events.map((type, index) => ({ type, reached: true, at: hoursAfterPublication(2 + index) })),
      ...notCounting.map((type, index) => ({ type, reached: false, at: hoursAfterPublication(20 + index) })),
    ];
    await record(
      keys,
      [
        notification(`${channel}-sent`, ref, channel, sentAt),
        ...cases.map(({ type }) => notification(`${channel}-${type}`, ref, channel, sentAt)),
      ],
      [
        event(`${channel}-sent`, 'SENT', sentAt),
        ...cases.flatMap(({ type, at }) => [
          event(`${channel}-${type}`, 'SENT', sentAt),
          event(`${channel}-${type}`, type, at),
        ]),
      ],
    );
    const { proof, rules } = await proofOf(keys, ref);
    expect([...(rules.find((rule) => rule.channel === channel)?.eventTypes ?? [])].sort()).toEqual(
      [...events].sort(),
    );
    const byKey = new Map(proof.notifications.map((item) => [item.notification.idempotencyKey, item]));
    expect(byKey.get(`${channel}-sent`)).toMatchObject({
      reached: false,
      reachedAt: null,
      evidenceStrength: 'SENT_ONLY',
    });
    for (const { type, reached, at } of cases) {
      const item = byKey.get(`${channel}-${type}`)!;
      expect([...item.countingEvents].sort(), type).toEqual([...events].sort());
      expect({ type, reached: item.reached, reachedAt: item.reachedAt }).toEqual({
        type,
        reached,
        reachedAt: reached ? at.toISOString() : null,
      });
    }
    expect(proof).toMatchObject({ reached: true, firstReachedAt: hoursAfterPublication(2).toISOString() });
    // Sending, a bounce and a failure never count, on any channel.
    for (const type of notReachEvents) expect(byKey.get(`${channel}-${type}`)?.reached ?? false).toBe(false);
  });
});

describe('evidence strength (docs/notifications.md, "Evidence strength")', () => {
  let keys: Keys;
  beforeAll(async () => {
    ({ keys } = await tenantWithNotice(t));
  });

  it.each(strengthTable().map((row, index) => ({ ...row, index })))('$cell: $strength', async ({
    events,
    strength,
    index,
  }) => {
    const key = `strength-${index}`;
    const sentAt = hoursAfterPublication(1);
    await record(
      keys,
      [notification(key, key, 'EMAIL', sentAt)],
      events.map((type, order) => event(key, type, hoursAfterPublication(2 + order))),
    );
    const { proof } = await proofOf(keys, key);
    expect(proof.notifications.map((item) => item.evidenceStrength)).toEqual([strength]);
  });
});

describe('the proof: reach, lead time, hashes (docs/notifications.md, "Proof")', () => {
  let keys: Keys;
  let effectiveFrom: Date;
  let contentHash: string | null;
  beforeAll(async () => {
    const tenant = await tenantWithNotice(t);
    keys = tenant.keys;
    const version = await t.database.prisma.noticeVersion.findFirstOrThrow({
      where: { controllerId: tenant.controller.id, number: 1 },
    });
    effectiveFrom = version.effectiveFrom;
    contentHash = version.contentHash;
  });
  const rows = new Map(leadTimeTable().map((row) => [row.row, row.verdict]));

  it('has the rows the tests below cover', () => {
    expect([...rows.keys()]).toEqual(['P1', 'P2', 'P3', 'P4']);
  });

  it('P1: not reached — recorded and sent, in-app sent but never displayed: leadTimeMet false', async () => {
    const sentAt = hoursAfterPublication(1);
    await record(
      keys,
      [notification('p1-mail', 'p1', 'EMAIL', sentAt), notification('p1-app', 'p1', 'IN_APP', sentAt)],
      [
        event('p1-mail', 'SENT', sentAt),
        event('p1-app', 'SENT', sentAt),
        event('p1-app', 'DELIVERED', sentAt),
      ],
    );
    const { proof } = await proofOf(keys, 'p1');
    expect(rows.get('P1')).toBe('false');
    expect(proof).toMatchObject({
      reached: false,
      firstReachedAt: null,
      leadTimeEndsAt: null,
      daysBeforeEffective: null,
      leadTimeMet: false,
    });
  });

  it('P2: first reach + the notice period × 24 h exactly at effectiveFrom: leadTimeMet true', async () => {
    const reachedAt = new Date(effectiveFrom.getTime() - 28 * dayMs);
    await record(
      keys,
      [notification('p2-app', 'p2', 'IN_APP', hoursAfterPublication(1))],
      [event('p2-app', 'DISPLAYED', reachedAt)],
    );
    const { proof } = await proofOf(keys, 'p2');
    expect(rows.get('P2')).toBe('true');
    expect(proof).toMatchObject({
      reached: true,
      firstReachedAt: reachedAt.toISOString(),
      minimumNoticeDays: 28,
      leadTimeEndsAt: effectiveFrom.toISOString(),
      daysBeforeEffective: 28,
      leadTimeMet: true,
    });
  });

  it('P3: reached a millisecond too late — or an in-app notice sent in time but displayed late: leadTimeMet false', async () => {
    const late = new Date(effectiveFrom.getTime() - 28 * dayMs + 1);
    await record(
      keys,
      [
        notification('p3-mail', 'p3', 'EMAIL', hoursAfterPublication(1)),
        // Sent 39 days before the effective date (enough once), shown only 27 days before it.
        notification('p3-app', 'p3b', 'IN_APP', hoursAfterPublication(1)),
      ],
      [
        event('p3-mail', 'DELIVERED', late),
        event('p3-app', 'DISPLAYED', new Date(effectiveFrom.getTime() - 27 * dayMs)),
      ],
    );
    expect(rows.get('P3')).toBe('false');
    const { proof } = await proofOf(keys, 'p3');
    expect(proof).toMatchObject({ reached: true, firstReachedAt: late.toISOString(), leadTimeMet: false });
    expect(new Date(proof.leadTimeEndsAt!).getTime()).toBe(effectiveFrom.getTime() + 1);
    expect((await proofOf(keys, 'p3b')).proof).toMatchObject({ reached: true, leadTimeMet: false });
  });

  it("P4: the version's notice period frozen at publication decides, not the controller's later setting", async () => {
    const tenant = await makeTenant(t.database.prisma);
    const set = async (minimumNoticeDays: number) =>
      expectData(
        await execute(t.app, SetSettings, {
          key: tenant.keys.ADMIN,
          variables: { input: { minimumNoticeDays } },
        }),
      );
    await set(7);
    await createPurpose(t.app, 'frozen-p', tenant.keys.EDITOR);
    await createNotice(t.app, 'frozen', tenant.keys.EDITOR);
    const draft = await createDraft(t.app, tenant.keys.EDITOR, {
      noticeKey: 'frozen',
      purposeKeys: ['frozen-p'],
      effectiveFrom: inDays(0),
    });
    // Frozen with the version as publication does: the setting at that moment.
    await t.database.prisma.noticeVersion.update({
      where: { id: rawId(draft) },
      data: { minimumNoticeDays: 7 },
    });
    const version = await publishAsOf(t.database, draft, published, 'first version of a new notice');
    await set(60);
    const reachedAt = new Date(version.effectiveFrom.getTime() - 10 * dayMs);
    await record(
      tenant.keys,
      [{ ...notification('p4-mail', 'p4', 'EMAIL', hoursAfterPublication(1)), noticeKey: 'frozen' }],
      [event('p4-mail', 'DELIVERED', reachedAt)],
    );
    expect(rows.get('P4')).toBe("decided by the version's frozen period");
    const { proof } = await proofOf(tenant.keys, 'p4', 'frozen');
    expect(proof).toMatchObject({ minimumNoticeDays: 7, leadTimeMet: true, daysBeforeEffective: 10 });
  });

  it('states the content hash, and per notification the text hash of its locale', async () => {
    const sentAt = hoursAfterPublication(1);
    await record(
      keys,
      [
        notification('hash-en', 'hash', 'EMAIL', sentAt, 'en'),
        notification('hash-de', 'hash', 'SMS', sentAt, 'de'),
      ],
      [],
    );
    const { proof } = await proofOf(keys, 'hash');
    expect(contentHash).toMatch(/^sha256:/);
    expect(proof.contentHash).toBe(contentHash);
    // The text as stored: titles and bodies are trimmed when a draft is written.
    const expected = Object.fromEntries(
      translations().map((text) => [
        text.locale,
        translationHash(
          { noticeKey: 'reach', number: 1 },
          { locale: String(text.locale), title: text.title.trim(), body: text.body.trim() },
        ),
      ]),
    );
    expect(proof.notifications.map((item) => [item.notification.locale, item.textHash])).toEqual([
      ['en', expected.en],
      ['de', expected.de],
    ]);
    expect(expected.en).not.toBe(expected.de);
    expect(proof.notifications.map((item) => item.evidenceStrength)).toEqual([
      'RECORDED_ONLY',
      'RECORDED_ONLY',
    ]);
  });
});
