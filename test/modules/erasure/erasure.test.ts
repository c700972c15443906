import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { RecordSeed } from '../../support/record-seed.js';
import { useTestApp } from '../../support/test-app.js';

const Erase = graphql(`
  mutation Erase($ref: String!) {
    eraseSubject(input: { subjectRef: $ref }) {
      __typename
      ... on EraseSubjectPayload {
        notifications
        responses
      }
      ... on Error {
        code
      }
    }
  }
`);

const Lookup = graphql(`
  query LookupAfterErasure($ref: String!) {
    subject(ref: $ref) {
      id
    }
    verifyAuditTrail {
      valid
      entriesChecked
    }
    auditTrail(first: 1) {
      edges {
        node {
          action
          details
        }
      }
    }
  }
`);

describe('eraseSubject', () => {
  const t = useTestApp();

  it('unlinks every record from the person while counts and the audit chain stay valid', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const ref = 'frank@example.org';
    const at = new Date(Date.now() - 60_000).toISOString();
    expectData(
      await execute(t.app, RecordSeed, {
        key: keys.NOTIFIER,
        variables: {
          n: {
            items: [
              {
                subjectRef: ref,
                jurisdiction: 'FR',
                noticeKey: 'privacy-policy',
                versionNumber: 1,
                channel: 'EMAIL',
                locale: 'en',
                occurredAt: at,
                senderMessageId: 'msg-frank@example.org',
                idempotencyKey: 'mailer:frank@example.org:v1',
              },
            ],
          },
          e: {
            items: [
              {
                notificationIdempotencyKey: 'mailer:frank@example.org:v1',
                type: 'DELIVERED',
                occurredAt: at,
              },
            ],
          },
          r: {
            items: [
              {
                subjectRef: ref,
                purposeKey: 'core',
                kind: 'OBJECTED',
                occurredAt: at,
                channel: 'EMAIL',
                idempotencyKey: 'obj:frank@example.org',
              },
            ],
          },
        },
      }),
    );
    const before = await t.database.prisma.notification.count({ where: { controllerId: controller.id } });

    const erased = expectData(
      await execute(t.app, Erase, { key: keys.ADMIN, variables: { ref } }),
    ).eraseSubject;
    expect(erased).toEqual({ __typename: 'EraseSubjectPayload', notifications: 1, responses: 1 });

    const after = expectData(await execute(t.app, Lookup, { key: keys.AUDITOR, variables: { ref } }));
    expect(after.subject).toBeNull();
    expect(after.verifyAuditTrail.valid).toBe(true);
    expect(after.auditTrail.edges[0]?.node).toMatchObject({
      action: 'subject:erase',
      details: { notifications: 1 },
    });
    expect(await t.database.prisma.notification.count({ where: { controllerId: controller.id } })).toBe(
      before,
    );
    expect(await t.database.prisma.notificationEvent.count({ where: { controllerId: controller.id } })).toBe(
      1,
    );

    const tables = (await t.database.sql(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    )) as {
      table_name: string;
    }[];
    for (const { table_name } of tables) {
      const dump = JSON.stringify(await t.database.sql(`SELECT * FROM "${table_name}"`));
      expect(dump, table_name).not.toContain('frank');
    }
    const again = expectData(
      await execute(t.app, Erase, { key: keys.ADMIN, variables: { ref } }),
    ).eraseSubject;
    expect(again).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('is for ADMIN only, and erasure leaves the audit trail itself immutable', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    for (const role of ['EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const) {
      const denied = await execute(t.app, Erase, { key: keys[role], variables: { ref: 'x' } });
      expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    await publishedNotice(t.app, keys.EDITOR, 'p', 'q');
    await expect(
      t.database.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('notarium.erasure', 'on', true)`;
        await tx.$executeRaw`UPDATE "AuditEntry" SET action = 'x' WHERE "controllerId" = ${controller.id}::uuid`;
      }),
    ).rejects.toThrow(/append-only/);
  });
});
