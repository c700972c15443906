import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { payloadOf, writeCounts } from './bulk-write.js';

const RecordColumns = graphql(`
  mutation RecordColumns($input: RecordNotificationColumnsInput!) {
    recordNotificationColumns(input: $input) {
      __typename
      ...BulkOutcome
      ... on InputValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`);

const RecordItems = graphql(`
  mutation RecordItemsForColumns($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ... on RecordNotificationsPayload {
        items {
          status
          recordId
        }
      }
    }
  }
`);

const minuteAgo = () => new Date(Date.now() - 60_000).toISOString();

function columns(rows: number, prefix: string) {
  const at = minuteAgo();
  return {
    noticeKey: 'privacy-policy',
    versionNumber: 1,
    subjectRefs: Array.from({ length: rows }, (_, row) => `${prefix}-user-${row}`),
    idempotencyKeys: Array.from({ length: rows }, (_, row) => `${prefix}-${row}`),
    channels: Array.from({ length: rows }, (_, row) => (row % 2 === 0 ? 'EMAIL' : 'IN_APP') as 'EMAIL'),
    locales: Array.from({ length: rows }, () => 'en'),
    occurredAt: Array.from({ length: rows }, () => at),
  };
}

describe('recordNotificationColumns', () => {
  const t = useTestApp();

  it('checks and records each row as recordNotifications does an item, with per-row results', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const input = {
      ...columns(5, 'mixed'),
      locales: ['en', 'fr', 'en', 'en', 'en'],
      occurredAt: [
        minuteAgo(),
        minuteAgo(),
        new Date(Date.now() + 3_600_000).toISOString(),
        minuteAgo(),
        minuteAgo(),
      ],
      jurisdictions: ['DE', null, null, 'Germany', null],
      senderMessageIds: ['m-0', null, null, null, 'm-4'],
    };
    input.idempotencyKeys[4] = 'mixed-0';
    input.subjectRefs[4] = input.subjectRefs[0]!;
    input.senderMessageIds[4] = 'm-0';
    const result = expectData(
      await execute(t.app, RecordColumns, { key: keys.NOTIFIER, variables: { input } }),
    ).recordNotificationColumns;
    if (result.__typename !== 'RecordNotificationsPayload') throw new Error(result.__typename);
    expect(result).toMatchObject({ accepted: 1, duplicates: 1, rejected: 3 });
    expect(result.items.map((entry) => [entry.index, entry.status, entry.error?.code ?? null])).toEqual([
      [0, 'ACCEPTED', null],
      [1, 'REJECTED', 'LOCALE_NOT_IN_VERSION'],
      [2, 'REJECTED', 'VALIDATION_FAILED'],
      [3, 'REJECTED', 'VALIDATION_FAILED'],
      [4, 'DUPLICATE', null],
    ]);
    expect(result.items[3]?.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['jurisdiction']);
    expect(result.items[4]?.recordId).toBe(result.items[0]?.recordId);
    const stored = await t.database.prisma.notification.findMany({ where: { controllerId: controller.id } });
    expect(stored).toMatchObject([{ idempotencyKey: 'mixed-0', jurisdiction: 'DE', senderMessageId: 'm-0' }]);
  });

  it('is the same record as an item: a retry in either form is a duplicate, other content a conflict', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const input = columns(3, 'same');
    const first = expectData(
      await execute(t.app, RecordColumns, { key: keys.NOTIFIER, variables: { input } }),
    ).recordNotificationColumns;
    if (first.__typename !== 'RecordNotificationsPayload') throw new Error(first.__typename);
    const items = input.subjectRefs.map((subjectRef, row) => ({
      subjectRef,
      noticeKey: input.noticeKey,
      versionNumber: input.versionNumber,
      channel: input.channels[row]!,
      locale: input.locales[row]!,
      occurredAt: input.occurredAt[row]!,
      idempotencyKey: input.idempotencyKeys[row]!,
    }));
    const asItems = expectData(
      await execute(t.app, RecordItems, { key: keys.NOTIFIER, variables: { input: { items } } }),
    ).recordNotifications;
    if (asItems.__typename !== 'RecordNotificationsPayload') throw new Error(asItems.__typename);
    expect(asItems.items.map((entry) => [entry.status, entry.recordId])).toEqual(
      first.items.map((entry) => ['DUPLICATE', entry.recordId]),
    );
    const changed = expectData(
      await execute(t.app, RecordColumns, {
        key: keys.NOTIFIER,
        variables: { input: { ...input, channels: ['SMS', 'IN_APP', 'EMAIL'] } },
      }),
    ).recordNotificationColumns;
    expect(changed).toMatchObject({
      accepted: 0,
      duplicates: 2,
      rejected: 1,
      items: [{ status: 'REJECTED', error: { code: 'IDEMPOTENCY_CONFLICT' } }, {}, {}],
    });
  });

  it('writes nothing, no batch record and no audit entry either, for columns that accept no row', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const record = async (input: ReturnType<typeof columns>) =>
      payloadOf(
        expectData(await execute(t.app, RecordColumns, { key: keys.NOTIFIER, variables: { input } }))
          .recordNotificationColumns,
        'RecordNotificationsPayload',
      );
    const input = columns(3, 'retry');
    expect(await record(input)).toMatchObject({ accepted: 3 });
    const before = await writeCounts(t.database.prisma, controller.id);
    expect(before).toMatchObject({ batches: 1, notifications: 3, subjects: 3 });

    expect(await record(input)).toMatchObject({ batchId: null, accepted: 0, duplicates: 3, rejected: 0 });
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);

    // Conflicts (the same keys, other content, for people not known yet) and an invalid row.
    const refused = await record({
      ...input,
      subjectRefs: ['new-0', 'new-1', 'new-2'],
      idempotencyKeys: [...input.idempotencyKeys.slice(0, 2), 'future'],
      occurredAt: [...input.occurredAt.slice(0, 2), new Date(Date.now() + 3_600_000).toISOString()],
    });
    expect(refused).toMatchObject({ batchId: null, accepted: 0, duplicates: 0, rejected: 3 });
    expect(refused.items.map((entry) => entry.error?.code)).toEqual([
      'IDEMPOTENCY_CONFLICT',
      'IDEMPOTENCY_CONFLICT',
      'VALIDATION_FAILED',
    ]);
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);
  });

  it('records only the new rows of a batch that repeats rows recorded before', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const all = columns(5, 'part');
    const firstThree = Object.fromEntries(
      Object.entries(all).map(([name, value]) => [name, Array.isArray(value) ? value.slice(0, 3) : value]),
    ) as typeof all;
    const before = expectData(
      await execute(t.app, RecordColumns, { key: keys.NOTIFIER, variables: { input: firstThree } }),
    ).recordNotificationColumns;
    const again = expectData(
      await execute(t.app, RecordColumns, { key: keys.NOTIFIER, variables: { input: all } }),
    ).recordNotificationColumns;
    if (
      before.__typename !== 'RecordNotificationsPayload' ||
      again.__typename !== 'RecordNotificationsPayload'
    )
      throw new Error('unexpected payload');
    expect(again).toMatchObject({ accepted: 2, duplicates: 3, rejected: 0 });
    expect(again.items.slice(0, 3).map((entry) => entry.recordId)).toEqual(
      before.items.map((entry) => entry.recordId),
    );
    expect(await t.database.prisma.notification.count({ where: { controllerId: controller.id } })).toBe(5);
    expect(await t.database.prisma.subject.count({ where: { controllerId: controller.id } })).toBe(5);
  });

  it('finds known people and creates the new ones of a batch, whichever comes first', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const record = async (rows: number, prefix: string) =>
      expectData(
        await execute(t.app, RecordColumns, {
          key: keys.NOTIFIER,
          variables: {
            input: { ...columns(rows, prefix), subjectRefs: columns(rows, 'person').subjectRefs },
          },
        }),
      ).recordNotificationColumns;
    // First 20 people, then 25 (the first 20 again, known: looked up first), then 40 (mostly new).
    for (const [rows, prefix] of [
      [20, 'first'],
      [25, 'second'],
      [40, 'third'],
    ] as const)
      expect(await record(rows, prefix)).toMatchObject({ accepted: rows, duplicates: 0, rejected: 0 });
    expect(await t.database.prisma.subject.count({ where: { controllerId: controller.id } })).toBe(40);
    const stored = await t.database.prisma.notification.findMany({
      where: { controllerId: controller.id },
      select: { idempotencyKey: true, subjectId: true },
    });
    const subjectOf = new Map(stored.map((row) => [row.idempotencyKey, row.subjectId]));
    for (let row = 0; row < 20; row++) {
      expect(subjectOf.get(`second-${row}`)).toBe(subjectOf.get(`first-${row}`));
      expect(subjectOf.get(`third-${row}`)).toBe(subjectOf.get(`first-${row}`));
    }
    for (let row = 20; row < 25; row++)
      expect(subjectOf.get(`third-${row}`)).toBe(subjectOf.get(`second-${row}`));
  });

  it('records the same columns sent five times concurrently exactly once', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const input = columns(300, 'burst');
    const payloads = (
      await Promise.all(
        Array.from({ length: 5 }, () =>
          execute(t.app, RecordColumns, { key: keys.NOTIFIER, variables: { input } }),
        ),
      )
    ).map((response) => expectData(response).recordNotificationColumns);
    const totals = payloads.map((payload) =>
      payload.__typename === 'RecordNotificationsPayload' ? [payload.accepted, payload.duplicates] : [-1, -1],
    );
    expect(totals.reduce((sum, [accepted]) => sum + accepted!, 0)).toBe(300);
    expect(totals.reduce((sum, [, duplicates]) => sum + duplicates!, 0)).toBe(1_200);
    expect(await t.database.prisma.notification.count({ where: { controllerId: controller.id } })).toBe(300);
  });

  it('refuses columns of different lengths, or no rows, as a whole and writes nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const ragged = expectData(
      await execute(t.app, RecordColumns, {
        key: keys.NOTIFIER,
        variables: { input: { ...columns(3, 'ragged'), channels: ['EMAIL'], jurisdictions: ['DE', null] } },
      }),
    ).recordNotificationColumns;
    expect(ragged).toMatchObject({
      __typename: 'InputValidationError',
      issues: [
        { path: ['input', 'channels'], message: 'must have one entry per row: 1 given, 3 rows' },
        { path: ['input', 'jurisdictions'], message: 'must have one entry per row: 2 given, 3 rows' },
      ],
    });
    const empty = expectData(
      await execute(t.app, RecordColumns, { key: keys.NOTIFIER, variables: { input: columns(0, 'none') } }),
    ).recordNotificationColumns;
    expect(empty).toMatchObject({
      __typename: 'InputValidationError',
      issues: [{ path: ['input', 'subjectRefs'] }],
    });
    expect(await t.database.prisma.notification.count({ where: { controllerId: controller.id } })).toBe(0);
  });

  it('refuses NUL characters and unpaired surrogates in stored text row by row, and records the other rows', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const input = { ...columns(4, 'nul'), senderMessageIds: ['ok', 'bad\u0000id', null, null] };
    input.subjectRefs[2] = 'ref-with-\u0000-is-only-hashed';
    input.idempotencyKeys[3] = 'lone-\ud800-surrogate';
    const result = expectData(
      await execute(t.app, RecordColumns, { key: keys.NOTIFIER, variables: { input } }),
    ).recordNotificationColumns;
    expect(result).toMatchObject({
      accepted: 2,
      rejected: 2,
      items: [
        { status: 'ACCEPTED' },
        { status: 'REJECTED', error: { code: 'VALIDATION_FAILED', issues: [{ path: ['senderMessageId'] }] } },
        { status: 'ACCEPTED' },
        { status: 'REJECTED', error: { code: 'VALIDATION_FAILED', issues: [{ path: ['idempotencyKey'] }] } },
      ],
    });
    expect(await t.database.prisma.notification.count({ where: { controllerId: controller.id } })).toBe(2);
  });

  it('is refused to a key that may not record notifications', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    for (const role of ['AUDITOR', 'EDITOR'] as const) {
      const denied = await execute(t.app, RecordColumns, {
        key: keys[role],
        variables: { input: columns(1, 'denied') },
      });
      expect(errorCode(denied)).toBe('FORBIDDEN');
    }
  });
});
