import { describe, expect, it } from 'vitest';
import type { NotificationInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { payloadOf, writeCounts } from './bulk-write.js';

const RecordNotifications = graphql(`
  mutation RecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
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

const SubjectProof = graphql(`
  query SubjectProof($ref: String!, $noticeKey: String!, $version: Int!) {
    subject(ref: $ref) {
      id
      jurisdiction
      notifications(first: 10) {
        edges {
          node {
            channel
            locale
            status
            version {
              number
            }
          }
        }
      }
      notificationProof(noticeKey: $noticeKey, version: $version) {
        __typename
        ... on NotificationProof {
          reached
          notifications {
            notification {
              idempotencyKey
            }
          }
        }
      }
    }
  }
`);

function item(overrides: Partial<NotificationInput> = {}): NotificationInput {
  return {
    subjectRef: 'user-1',
    noticeKey: 'privacy-policy',
    versionNumber: 1,
    channel: 'EMAIL',
    locale: 'en',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    idempotencyKey: `k-${Math.random().toString(36).slice(2)}`,
    ...overrides,
  };
}

describe('recordNotifications', () => {
  const t = useTestApp();

  it('accepts valid items and rejects each invalid one on its own, with coded per-item results', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const first = item({ idempotencyKey: 'ok-1', subjectRef: 'alice', jurisdiction: 'DE' });
    const items = [
      first,
      item({ idempotencyKey: 'bad-version', versionNumber: 7 }),
      item({ idempotencyKey: 'bad-locale', locale: 'fr' }),
      item({ idempotencyKey: 'future', occurredAt: new Date(Date.now() + 3_600_000).toISOString() }),
      item({ idempotencyKey: 'bad-fields', subjectRef: '', jurisdiction: 'Germany' }),
      item({ idempotencyKey: 'ok-2', subjectRef: 'bob', channel: 'IN_APP' }),
      { ...first },
    ];
    const result = expectData(
      await execute(t.app, RecordNotifications, { key: keys.NOTIFIER, variables: { input: { items } } }),
    ).recordNotifications;
    if (result.__typename !== 'RecordNotificationsPayload') throw new Error(result.__typename);
    expect(result).toMatchObject({ accepted: 2, duplicates: 1, rejected: 4 });
    expect(result.items.map((entry) => [entry.index, entry.status, entry.error?.code ?? null])).toEqual([
      [0, 'ACCEPTED', null],
      [1, 'REJECTED', 'NOTICE_VERSION_NOT_FOUND'],
      [2, 'REJECTED', 'LOCALE_NOT_IN_VERSION'],
      [3, 'REJECTED', 'VALIDATION_FAILED'],
      [4, 'REJECTED', 'VALIDATION_FAILED'],
      [5, 'ACCEPTED', null],
      [6, 'DUPLICATE', null],
    ]);
    expect(result.items[6]?.recordId).toBe(result.items[0]?.recordId);
    expect(result.items[4]?.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'jurisdiction',
      'subjectRef',
    ]);
    expect(await t.database.prisma.notification.count({ where: { controllerId: controller.id } })).toBe(2);

    const proof = expectData(
      await execute(t.app, SubjectProof, {
        key: keys.AUDITOR,
        variables: { ref: 'alice', noticeKey: 'privacy-policy', version: 1 },
      }),
    );
    expect(proof.subject).toMatchObject({
      jurisdiction: 'DE',
      notifications: {
        edges: [{ node: { channel: 'EMAIL', locale: 'en', status: 'RECORDED', version: { number: 1 } } }],
      },
      notificationProof: {
        __typename: 'NotificationProof',
        reached: false,
        notifications: [{ notification: { idempotencyKey: 'ok-1' } }],
      },
    });
  });

  it('records the same batch sent five times concurrently exactly once', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const items = Array.from({ length: 200 }, (_, index) =>
      item({ subjectRef: `user-${index}`, idempotencyKey: `batch-${index}` }),
    );
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        execute(t.app, RecordNotifications, { key: keys.NOTIFIER, variables: { input: { items } } }),
      ),
    );
    const payloads = results.map((response) => expectData(response).recordNotifications);
    const accepted = payloads.map((payload) =>
      payload.__typename === 'RecordNotificationsPayload' ? payload.accepted : -1,
    );
    const duplicates = payloads.map((payload) =>
      payload.__typename === 'RecordNotificationsPayload' ? payload.duplicates : -1,
    );
    expect(accepted.reduce((a, b) => a + b, 0)).toBe(200);
    expect(duplicates.reduce((a, b) => a + b, 0)).toBe(800);
    expect(await t.database.prisma.notification.count({ where: { controllerId: controller.id } })).toBe(200);
    expect(await t.database.prisma.subject.count({ where: { controllerId: controller.id } })).toBe(200);
    const ids = payloads.map((payload) =>
      payload.__typename === 'RecordNotificationsPayload' ? payload.items.map((entry) => entry.recordId) : [],
    );
    for (const other of ids.slice(1)) expect(other).toEqual(ids[0]);
  });

  it('refuses the same key with other content as a conflict, and writes nothing for it', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const first = item({ idempotencyKey: 'same-key' });
    expectData(
      await execute(t.app, RecordNotifications, {
        key: keys.NOTIFIER,
        variables: { input: { items: [first] } },
      }),
    );
    const changed = expectData(
      await execute(t.app, RecordNotifications, {
        key: keys.NOTIFIER,
        variables: {
          input: {
            items: [
              { ...first, channel: 'SMS' },
              { ...first, channel: 'SMS' },
            ],
          },
        },
      }),
    ).recordNotifications;
    // The repeat inside the batch shares its first occurrence's fate: refused too, no record.
    expect(changed).toMatchObject({
      accepted: 0,
      duplicates: 0,
      rejected: 2,
      items: [
        { status: 'REJECTED', recordId: null, error: { code: 'IDEMPOTENCY_CONFLICT' } },
        { status: 'REJECTED', recordId: null, error: { code: 'IDEMPOTENCY_CONFLICT' } },
      ],
    });
  });

  it('writes nothing, no batch record and no audit entry either, for a batch that accepts no item', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const record = async (items: NotificationInput[]) =>
      payloadOf(
        expectData(
          await execute(t.app, RecordNotifications, { key: keys.NOTIFIER, variables: { input: { items } } }),
        ).recordNotifications,
        'RecordNotificationsPayload',
      );
    const items = [0, 1, 2].map((n) => item({ subjectRef: `known-${n}`, idempotencyKey: `retry-${n}` }));
    const first = await record(items);
    expect(first).toMatchObject({ accepted: 3 });
    const before = await writeCounts(t.database.prisma, controller.id);
    expect(before).toMatchObject({ batches: 1, notifications: 3, subjects: 3 });

    const retry = await record(items);
    expect(retry).toMatchObject({ batchId: null, accepted: 0, duplicates: 3, rejected: 0 });
    expect(retry.items.map((entry) => entry.recordId)).toEqual(first.items.map((entry) => entry.recordId));
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);

    // Conflicts (the same keys, other content, for people not known yet) and invalid items.
    const refused = await record([
      ...items.map((entry, n) => ({ ...entry, subjectRef: `new-${n}` })),
      item({ versionNumber: 9 }),
      item({ locale: 'fr' }),
    ]);
    expect(refused).toMatchObject({ batchId: null, accepted: 0, duplicates: 0, rejected: 5 });
    expect(refused.items.map((entry) => entry.error?.code)).toEqual([
      'IDEMPOTENCY_CONFLICT',
      'IDEMPOTENCY_CONFLICT',
      'IDEMPOTENCY_CONFLICT',
      'NOTICE_VERSION_NOT_FOUND',
      'LOCALE_NOT_IN_VERSION',
    ]);
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual(before);

    // One new item among the repeats: the batch is written, with its record and one audit entry.
    const mixed = await record([...items, item({ subjectRef: 'known-0', idempotencyKey: 'fresh' })]);
    expect(mixed).toMatchObject({ accepted: 1, duplicates: 3, batchId: expect.any(String) });
    expect(await writeCounts(t.database.prisma, controller.id)).toEqual({
      ...before,
      batches: 2,
      auditEntries: before.auditEntries + 1,
      notifications: 4,
    });
  });

  it('rejects an empty or oversized batch as a whole with a validation error', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const empty = expectData(
      await execute(t.app, RecordNotifications, { key: keys.NOTIFIER, variables: { input: { items: [] } } }),
    );
    expect(empty.recordNotifications.__typename).toBe('InputValidationError');
    const tooMany = Array.from({ length: 10_001 }, (_, index) => item({ idempotencyKey: `x${index}` }));
    const oversized = expectData(
      await execute(t.app, RecordNotifications, {
        key: keys.NOTIFIER,
        variables: { input: { items: tooMany } },
      }),
    );
    expect(oversized.recordNotifications).toMatchObject({
      __typename: 'InputValidationError',
      issues: [{ path: ['input', 'items'] }],
    });
  });

  it('never stores or logs the raw subject reference', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const secretRef = 'customer-8f3e2a91-raw-reference@example.org';
    expectData(
      await execute(t.app, RecordNotifications, {
        key: keys.NOTIFIER,
        variables: {
          input: {
            items: [item({ subjectRef: secretRef }), item({ subjectRef: secretRef, versionNumber: 9 })],
          },
        },
      }),
    );
    const tables = (await t.database.sql(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    )) as { table_name: string }[];
    for (const { table_name } of tables) {
      const rows = await t.database.sql(`SELECT * FROM "${table_name}"`);
      expect(JSON.stringify(rows), table_name).not.toContain(secretRef);
    }
    expect(t.logLines.join('\n')).not.toContain(secretRef);
    const found = expectData(
      await execute(t.app, SubjectProof, {
        key: keys.ADMIN,
        variables: { ref: secretRef, noticeKey: 'privacy-policy', version: 1 },
      }),
    );
    expect(found.subject?.id).toBeTruthy();
  });

  it('is append-only at the database level', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    expectData(
      await execute(t.app, RecordNotifications, {
        key: keys.NOTIFIER,
        variables: { input: { items: [item()] } },
      }),
    );
    await expect(
      t.database.sql(`UPDATE "Notification" SET locale = 'de' WHERE "controllerId" = $1`, [controller.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.database.sql(`DELETE FROM "Notification" WHERE "controllerId" = $1`, [controller.id]),
    ).rejects.toThrow(/append-only/);
  });
});
