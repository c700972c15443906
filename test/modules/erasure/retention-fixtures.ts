import { expect } from 'vitest';
import { developmentSubjectRefSecret } from '../../../src/config/env.js';
import type { Actor } from '../../../src/modules/audit/audit.service.js';
import { retentionCutoff } from '../../../src/modules/erasure/retention.policy.js';
import { SubjectRefHasher } from '../../../src/modules/subject/subject-ref.js';
import type { NotificationEventInput, NotificationInput, ResponseInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createPurpose, publishedNotice } from '../../support/notice-fixtures.js';
import type { TestContext } from '../../support/test-app.js';

export const SetRetention = graphql(`
  mutation RetentionSetting($months: Int) {
    updateControllerSettings(input: { proofRetentionMonths: $months }) {
      __typename
      ... on UpdateControllerSettingsPayload {
        controller {
          proofRetentionMonths
        }
      }
      ... on InputValidationError {
        issues {
          path
          message
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const RetentionNotifications = graphql(`
  mutation RetentionNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      ... on RecordNotificationsPayload {
        accepted
      }
    }
  }
`);

const RetentionEvents = graphql(`
  mutation RetentionEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      ... on RecordNotificationEventsPayload {
        accepted
      }
    }
  }
`);

const RetentionResponses = graphql(`
  mutation RetentionResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      ... on RecordResponsesPayload {
        accepted
      }
    }
  }
`);

export const RetentionDecide = graphql(`
  mutation RetentionDecide($input: DecideObjectionInput!) {
    decideObjection(input: $input) {
      __typename
    }
  }
`);

export const hasher = new SubjectRefHasher(developmentSubjectRefSecret);

/** `months` calendar months after `at` (UTC); the retention cutoff of that instant is `at` again. */
export function monthsAfter(at: Date, months: number): Date {
  const later = new Date(
    Date.UTC(
      at.getUTCFullYear(),
      at.getUTCMonth() + months,
      at.getUTCDate(),
      at.getUTCHours(),
      at.getUTCMinutes(),
      at.getUTCSeconds(),
      at.getUTCMilliseconds(),
    ),
  );
  // 48 months keeps the day of the month, 29 February included (this century).
  expect(retentionCutoff(later, months)).toEqual(at);
  return later;
}

/** The months the tests set: four years, so that monthsAfter lands on the same day, whatever the date. */
export const testMonths = 48;

/** A tenant with a published notice (purpose `core`), the purpose `profiling`, and the retention setting. */
export async function scheduledTenant(t: TestContext, months: number | null = testMonths) {
  const tenant = await makeTenant(t.database.prisma);
  await publishedNotice(t.app, tenant.keys.EDITOR, 'privacy-policy', 'core');
  await createPurpose(t.app, 'profiling', tenant.keys.EDITOR);
  const set = expectData(
    await execute(t.app, SetRetention, { key: tenant.keys.ADMIN, variables: { months } }),
  ).updateControllerSettings;
  expect(set).toMatchObject({ controller: { proofRetentionMonths: months } });
  const actor: Actor = { controllerId: tenant.controller.id, apiKeyId: null, role: null };
  return { ...tenant, actor };
}

type Keys = Awaited<ReturnType<typeof makeTenant>>['keys'];

export const notification = (ref: string, key: string, at: Date): NotificationInput => ({
  subjectRef: ref,
  noticeKey: 'privacy-policy',
  versionNumber: 1,
  channel: 'EMAIL',
  locale: 'en',
  occurredAt: at.toISOString(),
  idempotencyKey: key,
});

export const event = (key: string, at: Date, type: NotificationEventInput['type'] = 'DELIVERED') => ({
  notificationIdempotencyKey: key,
  type,
  occurredAt: at.toISOString(),
});

export const response = (
  ref: string,
  key: string,
  at: Date,
  extra: Partial<ResponseInput> = {},
): ResponseInput => ({
  subjectRef: ref,
  purposeKey: 'profiling',
  kind: 'CONSENT_WITHDRAWN',
  occurredAt: at.toISOString(),
  channel: 'WEB_BANNER',
  idempotencyKey: key,
  ...extra,
});

/** Records through the API (NOTIFIER) and checks every item was accepted. */
export async function record(
  t: TestContext,
  keys: Keys,
  items: {
    notifications?: NotificationInput[];
    events?: NotificationEventInput[];
    responses?: ResponseInput[];
  },
) {
  const key = keys.NOTIFIER;
  if (items.notifications?.length) {
    const input = { items: items.notifications };
    const done = expectData(await execute(t.app, RetentionNotifications, { key, variables: { input } }));
    expect(done.recordNotifications).toEqual({ accepted: items.notifications.length });
  }
  if (items.events?.length) {
    const input = { items: items.events };
    const done = expectData(await execute(t.app, RetentionEvents, { key, variables: { input } }));
    expect(done.recordNotificationEvents).toEqual({ accepted: items.events.length });
  }
  if (items.responses?.length) {
    const input = { items: items.responses };
    const done = expectData(await execute(t.app, RetentionResponses, { key, variables: { input } }));
    expect(done.recordResponses).toEqual({ accepted: items.responses.length });
  }
}

/** The subject row of a reference, or null once purged. */
export function subjectOf(t: TestContext, controllerId: string, ref: string) {
  return t.database.prisma.subject.findUnique({
    where: { controllerId_refHash: { controllerId, refHash: hasher.hash(controllerId, ref) } },
  });
}

/** How many rows of each purged kind the controller has. */
export async function rowCounts(t: TestContext, controllerId: string) {
  const [row] = await t.database.prisma.$queryRaw<Record<string, number>[]>`
    SELECT
      (SELECT count(*)::int FROM "Subject" WHERE "controllerId" = ${controllerId}::uuid) AS subjects,
      (SELECT count(*)::int FROM "Notification" WHERE "controllerId" = ${controllerId}::uuid) AS notifications,
      (SELECT count(*)::int FROM "NotificationEvent" WHERE "controllerId" = ${controllerId}::uuid) AS events,
      (SELECT count(*)::int FROM "NotificationMilestone" WHERE "controllerId" = ${controllerId}::uuid) AS milestones,
      (SELECT count(*)::int FROM "Response" WHERE "controllerId" = ${controllerId}::uuid) AS responses,
      (SELECT count(*)::int FROM "ObjectionCase" WHERE "controllerId" = ${controllerId}::uuid) AS "objectionCases",
      (SELECT count(*)::int FROM "AuditEntry" WHERE "controllerId" = ${controllerId}::uuid) AS "auditEntries"`;
  return row!;
}
