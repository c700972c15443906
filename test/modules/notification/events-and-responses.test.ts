import { describe, expect, it } from 'vitest';
import type { NotificationEventInput, NotificationInput, ResponseInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { insertLegacyResponse } from '../../support/legacy-responses.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { payloadOf, writeCounts } from './bulk-write.js';

const RecordOne = graphql(`
  mutation RecordOneNotification($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      ... on RecordNotificationsPayload {
        accepted
        items {
          recordId
        }
      }
    }
  }
`);

const RecordEvents = graphql(`
  mutation RecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      __typename
      ... on RecordNotificationEventsPayload {
        accepted
        duplicates
        rejected
        items {
          status
          error {
            code
          }
        }
      }
    }
  }
`);

const RecordResponses = graphql(`
  mutation RecordResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      __typename
      ... on RecordResponsesPayload {
        accepted
        duplicates
        rejected
        items {
          status
          error {
            code
          }
        }
      }
    }
  }
`);

const Proof = graphql(`
  query Proof($ref: String!, $at: DateTime) {
    subject(ref: $ref) {
      notifications(first: 10) {
        edges {
          node {
            idempotencyKey
            status
            events {
              type
              occurredAt
            }
          }
        }
      }
      notificationProof(noticeKey: "privacy-policy", version: 1) {
        ... on NotificationProof {
          reached
          firstReachedAt
          daysBeforeEffective
          leadTimeMet
          batchIds
        }
      }
      purposeStates(at: $at) {
        purposeKey
        consent
        consentExpiresAt
        objection
        consentResponse {
          kind
        }
      }
      responses(first: 10) {
        edges {
          node {
            kind
            purpose {
              key
            }
          }
        }
      }
    }
  }
`);

const start = Date.now();
const minutesAgo = (minutes: number) => new Date(start - minutes * 60_000).toISOString();

function notification(overrides: Partial<NotificationInput> = {}): NotificationInput {
  return {
    subjectRef: 'carol',
    noticeKey: 'privacy-policy',
    versionNumber: 1,
    channel: 'EMAIL',
    locale: 'en',
    occurredAt: minutesAgo(60),
    idempotencyKey: 'mail-1',
    ...overrides,
  };
}

describe('delivery events and responses', () => {
  const t = useTestApp();

  it('attaches events that arrive before their notification, derives status by time, and ignores duplicates', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    // The times below are up to an hour before the version was published a moment ago: a day's
    // tolerance admits them (the bound itself is tested in sent-before-publication.test.ts).
    await t.database.prisma.controller.update({
      where: { id: controller.id },
      data: { clockSkewToleranceSeconds: 86_400 },
    });
    const early: NotificationEventInput[] = [
      { notificationIdempotencyKey: 'mail-1', type: 'OPENED', occurredAt: minutesAgo(10) },
      { notificationIdempotencyKey: 'mail-1', type: 'SENT', occurredAt: minutesAgo(59) },
    ];
    const first = expectData(
      await execute(t.app, RecordEvents, { key: keys.NOTIFIER, variables: { input: { items: early } } }),
    );
    expect(first.recordNotificationEvents).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 });

    const recorded = expectData(
      await execute(t.app, RecordOne, {
        key: keys.NOTIFIER,
        variables: { input: { items: [notification()] } },
      }),
    ).recordNotifications;
    const notificationId = 'items' in recorded ? recorded.items[0]?.recordId : null;
    expect(notificationId).toBeTruthy();

    const late: NotificationEventInput[] = [
      { notificationId, type: 'DELIVERED', occurredAt: minutesAgo(58) },
      { notificationIdempotencyKey: 'mail-1', type: 'OPENED', occurredAt: minutesAgo(10) },
      { notificationId: 'Tm90aWZpY2F0aW9uOm5vbmU=', type: 'BOUNCED', occurredAt: minutesAgo(5) },
    ];
    const second = expectData(
      await execute(t.app, RecordEvents, { key: keys.NOTIFIER, variables: { input: { items: late } } }),
    );
    expect(second.recordNotificationEvents).toMatchObject({
      accepted: 1,
      duplicates: 1,
      rejected: 1,
      items: [
        { status: 'ACCEPTED' },
        { status: 'DUPLICATE' },
        { status: 'REJECTED', error: { code: 'NOTIFICATION_NOT_FOUND' } },
      ],
    });

    const proof = expectData(
      await execute(t.app, Proof, { key: keys.AUDITOR, variables: { ref: 'carol' } }),
    ).subject;
    const node = proof?.notifications.edges[0]?.node;
    expect(node?.status).toBe('OPENED');
    expect(node?.events.map((event) => event.type)).toEqual(['SENT', 'DELIVERED', 'OPENED']);
    expect(proof?.notificationProof).toMatchObject({ reached: true, leadTimeMet: false });
    expect(
      proof?.notificationProof && 'batchIds' in proof.notificationProof
        ? proof.notificationProof.batchIds
        : [],
    ).toHaveLength(1);
  });

  it('derives consent and objection state from append-only responses, with lapse', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const { createPurpose } = await import('../../support/notice-fixtures.js');
    await createPurpose(t.app, 'newsletter', keys.EDITOR, {
      legalBasis: 'CONSENT',
      legitimateInterest: null,
      consentValidityDays: 30,
    });
    const responses: ResponseInput[] = [
      {
        subjectRef: 'dave',
        purposeKey: 'newsletter',
        kind: 'CONSENT_GIVEN',
        occurredAt: minutesAgo(60),
        channel: 'WEB_BANNER',
        idempotencyKey: 'r1',
      },
      {
        subjectRef: 'dave',
        purposeKey: 'core',
        kind: 'OBJECTED',
        occurredAt: minutesAgo(50),
        channel: 'EMAIL',
        noticeKey: 'privacy-policy',
        versionNumber: 1,
        idempotencyKey: 'r2',
      },
      {
        subjectRef: 'dave',
        purposeKey: 'core',
        kind: 'OBJECTION_WITHDRAWN',
        occurredAt: minutesAgo(40),
        channel: 'EMAIL',
        idempotencyKey: 'r3',
      },
      {
        subjectRef: 'dave',
        purposeKey: 'core',
        kind: 'OBJECTED',
        occurredAt: minutesAgo(30),
        channel: 'IN_APP',
        idempotencyKey: 'r4',
      },
      {
        subjectRef: 'dave',
        purposeKey: 'ghost',
        kind: 'OBJECTED',
        occurredAt: minutesAgo(30),
        channel: 'IN_APP',
        idempotencyKey: 'r5',
      },
      {
        subjectRef: 'dave',
        purposeKey: 'newsletter',
        kind: 'CONSENT_GIVEN',
        occurredAt: minutesAgo(1),
        channel: 'EMAIL',
        noticeKey: 'privacy-policy',
        versionNumber: 1,
        locale: 'en',
        idempotencyKey: 'r6',
      },
    ];
    await insertLegacyResponse(t.database, keys.NOTIFIER, {
      subjectRef: 'dave',
      purposeKey: 'newsletter',
      kind: 'CONSENT_GIVEN',
      occurredAt: responses[0]!.occurredAt,
      channel: 'WEB_BANNER',
      idempotencyKey: 'r1-before-consent-records',
    });
    const result = expectData(
      await execute(t.app, RecordResponses, {
        key: keys.NOTIFIER,
        variables: { input: { items: responses } },
      }),
    );
    // A consent naming no notice version is refused now (ADR 0033); one recorded before still counts.
    expect(result.recordResponses).toMatchObject({
      accepted: 3,
      rejected: 3,
      items: [
        { status: 'REJECTED', error: { code: 'CONSENT_NOTICE_REQUIRED' } },
        { status: 'ACCEPTED' },
        { status: 'ACCEPTED' },
        { status: 'ACCEPTED' },
        { status: 'REJECTED', error: { code: 'PURPOSE_NOT_FOUND' } },
        { status: 'REJECTED', error: { code: 'PURPOSE_NOT_IN_VERSION' } },
      ],
    });
    const retry = expectData(
      await execute(t.app, RecordResponses, {
        key: keys.NOTIFIER,
        variables: { input: { items: responses.slice(0, 2) } },
      }),
    );
    expect(retry.recordResponses).toMatchObject({ accepted: 0, duplicates: 1, rejected: 1 });

    const now = expectData(
      await execute(t.app, Proof, { key: keys.AUDITOR, variables: { ref: 'dave' } }),
    ).subject;
    expect(now?.purposeStates).toEqual([
      {
        purposeKey: 'core',
        consent: 'NONE',
        consentExpiresAt: null,
        objection: 'STANDING',
        consentResponse: null,
      },
      {
        purposeKey: 'newsletter',
        consent: 'GIVEN',
        consentExpiresAt: expect.any(String),
        objection: 'NONE',
        consentResponse: { kind: 'CONSENT_GIVEN' },
      },
    ]);
    const later = expectData(
      await execute(t.app, Proof, {
        key: keys.AUDITOR,
        variables: { ref: 'dave', at: new Date(Date.now() + 31 * 86_400_000).toISOString() },
      }),
    ).subject;
    expect(later?.purposeStates.find((state) => state.purposeKey === 'newsletter')?.consent).toBe('LAPSED');
    const between = expectData(
      await execute(t.app, Proof, { key: keys.AUDITOR, variables: { ref: 'dave', at: minutesAgo(45) } }),
    ).subject;
    expect(between?.purposeStates.find((state) => state.purposeKey === 'core')?.objection).toBe('STANDING');
    const afterWithdrawal = expectData(
      await execute(t.app, Proof, { key: keys.AUDITOR, variables: { ref: 'dave', at: minutesAgo(35) } }),
    ).subject;
    expect(afterWithdrawal?.purposeStates.find((state) => state.purposeKey === 'core')?.objection).toBe(
      'WITHDRAWN',
    );
  });

  it('keeps subjects and records invisible to other controllers and to roles without record access', async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, theirs.keys.EDITOR, 'privacy-policy', 'core');
    expectData(
      await execute(t.app, RecordOne, {
        key: theirs.keys.NOTIFIER,
        variables: { input: { items: [notification({ subjectRef: 'erin' })] } },
      }),
    );
    for (const role of ['ADMIN', 'AUDITOR'] as const) {
      const response = await execute(t.app, Proof, { key: mine.keys[role], variables: { ref: 'erin' } });
      expect(expectData(response).subject).toBeNull();
    }
    for (const role of ['EDITOR', 'READER', 'NOTIFIER'] as const) {
      const response = await execute(t.app, Proof, { key: theirs.keys[role], variables: { ref: 'erin' } });
      expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const notifierRecords = await execute(t.app, RecordEvents, {
      key: mine.keys.READER,
      variables: {
        input: { items: [{ notificationIdempotencyKey: 'x', type: 'SENT', occurredAt: minutesAgo(1) }] },
      },
    });
    expect(notifierRecords.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('writes nothing, no audit entry either, for delivery events that accept no item', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const record = async (items: NotificationEventInput[]) =>
      payloadOf(
        expectData(
          await execute(t.app, RecordEvents, { key: keys.NOTIFIER, variables: { input: { items } } }),
        ).recordNotificationEvents,
        'RecordNotificationEventsPayload',
      );
    const events: NotificationEventInput[] = [
      { notificationIdempotencyKey: 'mail-1', type: 'SENT', occurredAt: minutesAgo(59) },
      { notificationIdempotencyKey: 'mail-1', type: 'DELIVERED', occurredAt: minutesAgo(58) },
    ];
    expect(await record(events)).toMatchObject({ accepted: 2 });
    const before = await writeCounts(t.database.prisma, controller.id);
    expect(before).toMatchObject({ events: 2, milestones: 2 });

    expect(await record(events)).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);

    const refused = await record([
      { notificationId: 'Tm90aWZpY2F0aW9uOm5vbmU=', type: 'BOUNCED', occurredAt: minutesAgo(5) },
      {
        notificationIdempotencyKey: 'mail-1',
        type: 'OPENED',
        occurredAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    ]);
    expect(refused).toMatchObject({ accepted: 0, duplicates: 0, rejected: 2 });
    expect(refused.items.map((entry) => entry.error?.code)).toEqual([
      'NOTIFICATION_NOT_FOUND',
      'VALIDATION_FAILED',
    ]);
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);
  });

  it('writes nothing, no subject and no audit entry either, for responses that accept no item', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const record = async (items: ResponseInput[]) =>
      payloadOf(
        expectData(
          await execute(t.app, RecordResponses, { key: keys.NOTIFIER, variables: { input: { items } } }),
        ).recordResponses,
        'RecordResponsesPayload',
      );
    const responses: ResponseInput[] = [
      {
        subjectRef: 'frank',
        purposeKey: 'core',
        kind: 'OBJECTED',
        occurredAt: minutesAgo(30),
        channel: 'EMAIL',
        idempotencyKey: 'answer-1',
      },
      {
        subjectRef: 'frank',
        purposeKey: 'core',
        kind: 'OBJECTION_WITHDRAWN',
        occurredAt: minutesAgo(20),
        channel: 'EMAIL',
        idempotencyKey: 'answer-2',
      },
    ];
    expect(await record(responses)).toMatchObject({ accepted: 2 });
    const before = await writeCounts(t.database.prisma, controller.id);
    expect(before).toMatchObject({ responses: 2, subjects: 1 });

    expect(await record(responses)).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);

    // Conflicts (the same keys, other content, for a person not known yet) and an unknown purpose.
    const refused = await record([
      ...responses.map((response) => ({ ...response, subjectRef: 'grace' })),
      { ...responses[0]!, purposeKey: 'ghost', idempotencyKey: 'answer-3' },
    ]);
    expect(refused).toMatchObject({ accepted: 0, duplicates: 0, rejected: 3 });
    expect(refused.items.map((entry) => entry.error?.code)).toEqual([
      'IDEMPOTENCY_CONFLICT',
      'IDEMPOTENCY_CONFLICT',
      'PURPOSE_NOT_FOUND',
    ]);
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);
  });
});
