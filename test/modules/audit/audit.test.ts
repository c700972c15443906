import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import {
  createDraft,
  createPurpose,
  inDays,
  Publish,
  publishedNotice,
} from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const Trail = graphql(`
  query Trail($action: String) {
    auditTrail(first: 100, action: $action) {
      edges {
        node {
          sequence
          action
          targetType
          actorRole
          details
          previousHash
          hash
        }
      }
    }
    verifyAuditTrail {
      valid
      entriesChecked
      firstBrokenSequence
      problem
      headSequence
    }
  }
`);

const Record = graphql(`
  mutation RecordForAudit($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      ... on RecordNotificationsPayload {
        batchId
        accepted
      }
    }
  }
`);

describe('audit trail', () => {
  const t = useTestApp();

  it('records every change in order, chained, in the same transaction as the change', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    await createPurpose(t.app, 'ads', keys.EDITOR);
    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['core', 'ads'],
      effectiveFrom: inDays(3),
    });
    const refused = expectData(
      await execute(t.app, Publish, {
        key: keys.EDITOR,
        variables: { input: { id: draft, changeMessage: 'too early' } },
      }),
    );
    expect(refused.publishNoticeVersion.__typename).toBe('NoticeLeadTimeError');
    const recorded = expectData(
      await execute(t.app, Record, {
        key: keys.NOTIFIER,
        variables: {
          input: {
            items: [
              {
                subjectRef: 'u1',
                noticeKey: 'privacy-policy',
                versionNumber: 1,
                channel: 'EMAIL',
                locale: 'en',
                occurredAt: new Date().toISOString(),
                idempotencyKey: 'a1',
              },
            ],
          },
        },
      }),
    );

    const data = expectData(await execute(t.app, Trail, { key: keys.AUDITOR, variables: {} }));
    const entries = [...data.auditTrail.edges.map((edge) => edge.node)].reverse();
    expect(entries.map((entry) => entry.action)).toEqual([
      'purpose:create',
      'notice:create',
      'noticeVersion:createDraft',
      'noticeVersion:publish',
      'purpose:create',
      'noticeVersion:createDraft',
      'notifications:record',
    ]);
    expect(entries.map((entry) => entry.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const [index, entry] of entries.slice(1).entries())
      expect(entry.previousHash).toBe(entries[index]?.hash);
    expect(entries[6]).toMatchObject({
      targetType: 'NotificationBatch',
      actorRole: 'NOTIFIER',
      details: { accepted: 1 },
    });
    const batchId = 'batchId' in recorded.recordNotifications ? recorded.recordNotifications.batchId : null;
    expect(batchId).toBeTruthy();
    expect(data.verifyAuditTrail).toEqual({
      valid: true,
      entriesChecked: 7,
      firstBrokenSequence: null,
      problem: null,
      headSequence: 7,
    });
    const publishes = expectData(
      await execute(t.app, Trail, { key: keys.ADMIN, variables: { action: 'noticeVersion:publish' } }),
    );
    expect(publishes.auditTrail.edges).toHaveLength(1);
    expect(await t.database.prisma.auditEntry.count({ where: { controllerId: controller.id } })).toBe(7);
  });

  it('cannot be changed by the application, and verification finds an entry altered behind its back', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'tamper', 'tamper-purpose');
    await expect(
      t.database.sql(`UPDATE "AuditEntry" SET "action" = 'x' WHERE "controllerId" = $1`, [controller.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.database.sql(`DELETE FROM "AuditEntry" WHERE "controllerId" = $1`, [controller.id]),
    ).rejects.toThrow(/append-only/);

    await t.database.sql('ALTER TABLE "AuditEntry" DISABLE TRIGGER "AuditEntry_append_only"');
    try {
      await t.database.sql(
        `UPDATE "AuditEntry" SET "details" = '{"key":"forged"}' WHERE "controllerId" = $1 AND "sequence" = 2`,
        [controller.id],
      );
      const altered = expectData(
        await execute(t.app, Trail, { key: keys.AUDITOR, variables: {} }),
      ).verifyAuditTrail;
      expect(altered).toMatchObject({
        valid: false,
        entriesChecked: 1,
        firstBrokenSequence: 2,
        headSequence: 1,
      });
      expect(altered.problem).toMatch(/hash/);

      await t.database.sql(`DELETE FROM "AuditEntry" WHERE "controllerId" = $1 AND "sequence" = 2`, [
        controller.id,
      ]);
      const removed = expectData(
        await execute(t.app, Trail, { key: keys.AUDITOR, variables: {} }),
      ).verifyAuditTrail;
      expect(removed).toMatchObject({ valid: false, firstBrokenSequence: 3, problem: 'entry 2 is missing' });
    } finally {
      await t.database.sql('ALTER TABLE "AuditEntry" ENABLE TRIGGER "AuditEntry_append_only"');
    }
  });

  it("is readable only by ADMIN and AUDITOR, and only the controller's own", async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, theirs.keys.EDITOR, 'theirs', 'their-purpose');
    const own = expectData(await execute(t.app, Trail, { key: mine.keys.ADMIN, variables: {} }));
    expect(own.auditTrail.edges).toEqual([]);
    expect(own.verifyAuditTrail).toMatchObject({ valid: true, entriesChecked: 0 });
    for (const role of ['EDITOR', 'NOTIFIER', 'READER'] as const) {
      const denied = await execute(t.app, Trail, { key: mine.keys[role], variables: {} });
      expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});
