import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { payloadOf, writeCounts } from './bulk-write.js';

graphql(`
  fragment DatedOutcome on RecordNotificationsPayload {
    accepted
    rejected
    items {
      status
      recordId
      error {
        ...DatedError
      }
    }
  }
`);

graphql(`
  fragment DatedError on BulkItemError {
    code
    message
  }
`);

const RecordDated = graphql(`
  mutation RecordDatedNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ...DatedOutcome
    }
  }
`);

const RecordDatedColumns = graphql(`
  mutation RecordDatedColumns($input: RecordNotificationColumnsInput!) {
    recordNotificationColumns(input: $input) {
      __typename
      ...DatedOutcome
    }
  }
`);

const RecordDatedEvents = graphql(`
  mutation RecordDatedEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      __typename
      ... on RecordNotificationEventsPayload {
        accepted
        rejected
        items {
          status
          error {
            ...DatedError
          }
        }
      }
    }
  }
`);

const SetTolerance = graphql(`
  mutation SetClockSkewTolerance($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
      ... on UpdateControllerSettingsPayload {
        controller {
          clockSkewToleranceSeconds
        }
      }
      ... on InputValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`);

const ReadTolerance = graphql(`
  query ReadClockSkewTolerance {
    viewer {
      controller {
        clockSkewToleranceSeconds
      }
    }
  }
`);

const t = useTestApp();

/** A tenant with notice `privacy-policy` version 1 published now; its publication instant. */
async function tenantWithVersion() {
  const tenant = await makeTenant(t.database.prisma);
  await publishedNotice(t.app, tenant.keys.EDITOR, 'privacy-policy', 'core');
  const version = await t.database.prisma.noticeVersion.findFirstOrThrow({
    where: { controllerId: tenant.controller.id, number: 1 },
  });
  const publishedAt = version.publishedAt!;
  const earlierBy = (seconds: number) => new Date(publishedAt.getTime() - seconds * 1000).toISOString();
  return { ...tenant, publishedAt, earlierBy };
}

function item(key: string, occurredAt: string) {
  return {
    subjectRef: `user-${key}`,
    noticeKey: 'privacy-policy',
    versionNumber: 1,
    channel: 'EMAIL' as const,
    locale: 'en',
    occurredAt,
    idempotencyKey: key,
  };
}

describe('a notification dated before its version was published', () => {
  it('is rejected beyond the tolerance, naming the publication instant; the rest of the batch goes in', async () => {
    const { controller, keys, publishedAt, earlierBy } = await tenantWithVersion();
    const result = payloadOf(
      expectData(
        await execute(t.app, RecordDated, {
          key: keys.NOTIFIER,
          variables: {
            input: {
              items: [
                item('a-day-early', earlierBy(86_400)),
                item('just-beyond', earlierBy(301)),
                item('within', earlierBy(299)),
                item('after', earlierBy(-1)),
              ],
            },
          },
        }),
      ).recordNotifications,
      'RecordNotificationsPayload',
    );
    expect(result).toMatchObject({ accepted: 2, rejected: 2 });
    expect(result.items.map((entry) => [entry.status, entry.error?.code ?? null])).toEqual([
      ['REJECTED', 'SENT_BEFORE_PUBLICATION'],
      ['REJECTED', 'SENT_BEFORE_PUBLICATION'],
      ['ACCEPTED', null],
      ['ACCEPTED', null],
    ]);
    expect(result.items[0]?.error?.message).toContain(publishedAt.toISOString());
    expect(result.items[0]?.recordId).toBeNull();
    const stored = await t.database.prisma.notification.findMany({
      where: { controllerId: controller.id },
      select: { idempotencyKey: true },
      orderBy: { idempotencyKey: 'asc' },
    });
    expect(stored.map((row) => row.idempotencyKey)).toEqual(['after', 'within']);
    expect(await t.database.prisma.subject.count({ where: { controllerId: controller.id } })).toBe(2);
  });

  it('is rejected the same way in the columnar form; a batch of only such rows writes nothing', async () => {
    const { controller, keys, earlierBy } = await tenantWithVersion();
    const columns = (rows: [string, string][]) => ({
      noticeKey: 'privacy-policy',
      versionNumber: 1,
      subjectRefs: rows.map(([key]) => `user-${key}`),
      idempotencyKeys: rows.map(([key]) => key),
      channels: rows.map(() => 'IN_APP' as const),
      locales: rows.map(() => 'en'),
      occurredAt: rows.map(([, at]) => at),
    });
    const record = async (rows: [string, string][]) =>
      payloadOf(
        expectData(
          await execute(t.app, RecordDatedColumns, {
            key: keys.NOTIFIER,
            variables: { input: columns(rows) },
          }),
        ).recordNotificationColumns,
        'RecordNotificationsPayload',
      );
    const mixed = await record([
      ['col-early', earlierBy(3_600)],
      ['col-skewed', earlierBy(120)],
    ]);
    expect(mixed.items.map((entry) => [entry.status, entry.error?.code ?? null])).toEqual([
      ['REJECTED', 'SENT_BEFORE_PUBLICATION'],
      ['ACCEPTED', null],
    ]);
    const counts = await writeCounts(t.database.prisma, controller.id);
    const onlyEarly = await record([
      ['col-early-1', earlierBy(7_200)],
      ['col-early-2', earlierBy(301)],
    ]);
    expect(onlyEarly).toMatchObject({ accepted: 0, rejected: 2 });
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(counts);
  });

  it('follows the controller setting: validated, shown, and applied to later batches', async () => {
    const { keys, earlierBy } = await tenantWithVersion();
    const read = async () =>
      expectData(await execute(t.app, ReadTolerance, { key: keys.READER })).viewer.controller
        .clockSkewToleranceSeconds;
    expect(await read()).toBe(300);
    for (const invalid of [-1, 86_401]) {
      const refused = expectData(
        await execute(t.app, SetTolerance, {
          key: keys.ADMIN,
          variables: { input: { clockSkewToleranceSeconds: invalid } },
        }),
      ).updateControllerSettings;
      expect(refused).toMatchObject({
        __typename: 'InputValidationError',
        issues: [{ path: ['input', 'clockSkewToleranceSeconds'] }],
      });
    }
    expect(await read()).toBe(300);

    const record = async (key: string, secondsEarly: number) =>
      payloadOf(
        expectData(
          await execute(t.app, RecordDated, {
            key: keys.NOTIFIER,
            variables: { input: { items: [item(key, earlierBy(secondsEarly))] } },
          }),
        ).recordNotifications,
        'RecordNotificationsPayload',
      ).items[0]?.error?.code ?? 'ACCEPTED';
    expect(await record('default-skew', 200)).toBe('ACCEPTED');

    const strict = expectData(
      await execute(t.app, SetTolerance, {
        key: keys.ADMIN,
        variables: { input: { clockSkewToleranceSeconds: 0 } },
      }),
    ).updateControllerSettings;
    expect(strict).toMatchObject({ controller: { clockSkewToleranceSeconds: 0 } });
    expect(await read()).toBe(0);
    expect(await record('strict-skew', 1)).toBe('SENT_BEFORE_PUBLICATION');
    expect(await record('strict-exact', 0)).toBe('ACCEPTED');

    expectData(
      await execute(t.app, SetTolerance, {
        key: keys.ADMIN,
        variables: { input: { clockSkewToleranceSeconds: 86_400 } },
      }),
    );
    expect(await record('wide-skew', 3_600)).toBe('ACCEPTED');
    expect(await record('wide-beyond', 86_401)).toBe('SENT_BEFORE_PUBLICATION');
  });

  it('refuses a delivery event dated before its notification’s version was published', async () => {
    const { controller, keys, earlierBy } = await tenantWithVersion();
    payloadOf(
      expectData(
        await execute(t.app, RecordDated, {
          key: keys.NOTIFIER,
          variables: { input: { items: [item('told', earlierBy(60))] } },
        }),
      ).recordNotifications,
      'RecordNotificationsPayload',
    );
    const result = payloadOf(
      expectData(
        await execute(t.app, RecordDatedEvents, {
          key: keys.NOTIFIER,
          variables: {
            input: {
              items: [
                { notificationIdempotencyKey: 'told', type: 'DELIVERED', occurredAt: earlierBy(3_600) },
                { notificationIdempotencyKey: 'told', type: 'SENT', occurredAt: earlierBy(30) },
                // Not recorded yet: no version to compare with, so it waits for its notification.
                { notificationIdempotencyKey: 'later', type: 'SENT', occurredAt: earlierBy(3_600) },
              ],
            },
          },
        }),
      ).recordNotificationEvents,
      'RecordNotificationEventsPayload',
    );
    expect(result.items.map((entry) => [entry.status, entry.error?.code ?? null])).toEqual([
      ['REJECTED', 'SENT_BEFORE_PUBLICATION'],
      ['ACCEPTED', null],
      ['ACCEPTED', null],
    ]);
    const events = await t.database.prisma.notificationEvent.findMany({
      where: { controllerId: controller.id },
      select: { notificationKey: true, type: true },
      orderBy: { notificationKey: 'asc' },
    });
    expect(events).toEqual([
      { notificationKey: 'later', type: 'SENT' },
      { notificationKey: 'told', type: 'SENT' },
    ]);
  });
});
