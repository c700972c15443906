import { describe, expect, it } from 'vitest';
import { developmentSubjectRefSecret } from '../../../src/config/env.js';
import { verifyAuditChain } from '../../../src/modules/audit/audit.service.js';
import { notificationHash, responseHash } from '../../../src/modules/notification/record-hash.js';
import { SubjectRefHasher } from '../../../src/modules/subject/subject-ref.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { RecordSeed } from '../../support/record-seed.js';
import { useTestApp } from '../../support/test-app.js';

const hasher = new SubjectRefHasher(developmentSubjectRefSecret);

const EraseWithHold = graphql(`
  mutation EraseWithHold($ref: String!) {
    eraseSubject(input: { subjectRef: $ref }) {
      __typename
      ... on EraseSubjectPayload {
        notifications
        responses
        rehashed
      }
      ... on SubjectUnderLegalHoldError {
        code
        regulatorRequestIds
      }
      ... on Error {
        code
      }
    }
  }
`);

const OpenRequest = graphql(`
  mutation OpenRequestForHold($input: OpenRegulatorRequestInput!) {
    openRegulatorRequest(input: $input) {
      ... on RegulatorRequestPayload {
        request {
          id
          closedAt
        }
      }
    }
  }
`);

const CloseRequest = graphql(`
  mutation CloseRequestForHold($id: ID!) {
    closeRegulatorRequest(id: $id) {
      __typename
      ... on RegulatorRequestPayload {
        request {
          closedAt
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

describe('erasure and record hashes', () => {
  const t = useTestApp();

  async function seed(keys: Record<string, string>, ref: string) {
    const at = new Date(Date.now() - 60_000).toISOString();
    expectData(
      await execute(t.app, RecordSeed, {
        key: keys.NOTIFIER!,
        variables: {
          n: {
            items: [
              {
                subjectRef: ref,
                noticeKey: 'privacy-policy',
                versionNumber: 1,
                channel: 'EMAIL',
                locale: 'en',
                occurredAt: at,
                senderMessageId: `msg-${ref}`,
                idempotencyKey: `n:${ref}`,
              },
            ],
          },
          e: {
            items: [
              {
                notificationIdempotencyKey: `n:${ref}`,
                type: 'BOUNCED',
                occurredAt: at,
                detail: `550 ${ref} unknown`,
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
                idempotencyKey: `r:${ref}`,
              },
            ],
          },
        },
      }),
    );
  }

  const recordsOf = async (subjectId: string) => ({
    notifications: await t.database.prisma.notification.findMany({
      where: { subjectId },
      include: { template: true },
    }),
    responses: await t.database.prisma.response.findMany({ where: { subjectId } }),
  });

  it('commits new records to the subject ID, so erasure leaves their hashes unchanged and recomputable', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const ref = 'grace@example.org';
    await seed(keys, ref);
    const subject = await t.database.prisma.subject.findFirstOrThrow({
      where: { controllerId: controller.id, refHash: hasher.hash(controller.id, ref) },
    });
    const before = await recordsOf(subject.id);
    expect(before.notifications[0]).toMatchObject({ hashFormat: 2 });
    expect(before.responses[0]).toMatchObject({ hashFormat: 2 });

    const erased = expectData(
      await execute(t.app, EraseWithHold, { key: keys.ADMIN, variables: { ref } }),
    ).eraseSubject;
    expect(erased).toEqual({
      __typename: 'EraseSubjectPayload',
      notifications: 1,
      responses: 1,
      rehashed: 0,
    });

    const after = await recordsOf(subject.id);
    expect(after.notifications.map((n) => n.contentHash)).toEqual(
      before.notifications.map((n) => n.contentHash),
    );
    expect(after.responses.map((r) => r.contentHash)).toEqual(before.responses.map((r) => r.contentHash));
    const [notification] = after.notifications;
    expect(
      notificationHash({
        subject: subject.id,
        version: notification!.versionId,
        channel: notification!.channel,
        locale: notification!.locale,
        occurredAt: notification!.occurredAt.toISOString(),
        campaign: null,
        senderMessageId: null,
        template: null,
      }),
    ).toBe(notification!.contentHash);
    // The free text of the bounce went with the person.
    const events = await t.database.prisma.notificationEvent.findMany({
      where: { controllerId: controller.id },
    });
    expect(events.map((event) => event.detail)).toEqual([null]);
    expect((await verifyAuditChain(t.database, controller.id)).valid).toBe(true);
  });

  it('re-hashes records whose hash covered the reference, so the secret and a user ID re-link nothing', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const ref = 'heidi@example.org';
    await seed(keys, ref);
    const refHash = hasher.hash(controller.id, ref);
    const subject = await t.database.prisma.subject.findFirstOrThrow({
      where: { controllerId: controller.id, refHash },
    });
    // Make the records what records written before format 2 are: hashed over the reference hash.
    const { notifications, responses } = await recordsOf(subject.id);
    const legacy = (n: (typeof notifications)[number]) =>
      notificationHash(
        {
          subject: refHash,
          version: n.versionId,
          channel: n.channel,
          locale: n.locale,
          occurredAt: n.occurredAt.toISOString(),
          campaign: null,
          senderMessageId: n.senderMessageId,
        },
        1,
      );
    const legacyResponse = (r: (typeof responses)[number]) =>
      responseHash(
        {
          subject: refHash,
          purpose: r.purposeId,
          kind: r.kind,
          occurredAt: r.occurredAt.toISOString(),
          channel: r.channel,
          version: r.versionId,
        },
        1,
      );
    await t.database.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT set_config('notarium.erasure', 'on', true)`;
      for (const n of notifications)
        await tx.notification.update({
          where: { id: n.id },
          data: { hashFormat: 1, contentHash: legacy(n) },
        });
      for (const r of responses)
        await tx.response.update({
          where: { id: r.id },
          data: { hashFormat: 1, contentHash: legacyResponse(r) },
        });
    });
    // A retry of a format-1 record is still recognised as the same content.
    const retry = await execute(t.app, RecordSeed, {
      key: keys.NOTIFIER,
      variables: {
        n: {
          items: [
            {
              subjectRef: ref,
              noticeKey: 'privacy-policy',
              versionNumber: 1,
              channel: 'EMAIL',
              locale: 'en',
              occurredAt: notifications[0]!.occurredAt.toISOString(),
              senderMessageId: `msg-${ref}`,
              idempotencyKey: `n:${ref}`,
            },
          ],
        },
        e: { items: [] },
        r: { items: [] },
      },
    });
    expect(expectData(retry).recordNotifications).toEqual({ accepted: 0 });

    const erased = expectData(
      await execute(t.app, EraseWithHold, { key: keys.ADMIN, variables: { ref } }),
    ).eraseSubject;
    expect(erased).toMatchObject({ __typename: 'EraseSubjectPayload', rehashed: 2 });
    const after = await recordsOf(subject.id);
    const everyHash = [...after.notifications, ...after.responses].map((record) => record.contentHash);
    expect(everyHash).not.toContain(legacy(notifications[0]!));
    expect(everyHash).not.toContain(legacyResponse(responses[0]!));
    expect([...after.notifications, ...after.responses].every((record) => record.hashFormat === 2)).toBe(
      true,
    );
    expect(after.responses[0]!.contentHash).toBe(
      responseHash({
        subject: subject.id,
        purpose: responses[0]!.purposeId,
        kind: responses[0]!.kind,
        occurredAt: responses[0]!.occurredAt.toISOString(),
        channel: responses[0]!.channel,
        version: responses[0]!.versionId,
      }),
    );
    // Nothing the registry keeps holds the reference hash any more.
    const tables = (await t.database.sql(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    )) as { table_name: string }[];
    for (const { table_name } of tables) {
      const dump = JSON.stringify(await t.database.sql(`SELECT * FROM "${table_name}"`));
      expect(dump, table_name).not.toContain(refHash);
    }
    expect((await verifyAuditChain(t.database, controller.id)).valid).toBe(true);
  });

  it('refuses to erase a person named in an open regulator request, records the refusal, and erases once it closes', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'privacy-policy', 'core');
    const ref = 'ivan@example.org';
    await seed(keys, ref);
    const opened = expectData(
      await execute(t.app, OpenRequest, {
        key: keys.AUDITOR,
        variables: { input: { authority: 'CNIL', reference: 'case-1', subjectRefs: [ref] } },
      }),
    ).openRegulatorRequest;
    const request = (opened as { request: { id: string; closedAt: string | null } }).request;
    expect(request.closedAt).toBeNull();
    // A request naming someone else, or no one, holds no one else.
    await execute(t.app, OpenRequest, {
      key: keys.AUDITOR,
      variables: { input: { authority: 'CNIL', reference: 'case-2', noticeKeys: ['privacy-policy'] } },
    });

    const refused = expectData(
      await execute(t.app, EraseWithHold, { key: keys.ADMIN, variables: { ref } }),
    ).eraseSubject;
    expect(refused).toMatchObject({ __typename: 'SubjectUnderLegalHoldError', code: 'LEGAL_HOLD' });
    expect((refused as { regulatorRequestIds: string[] }).regulatorRequestIds).toHaveLength(1);
    const subject = await t.database.prisma.subject.findFirstOrThrow({
      where: { controllerId: controller.id, refHash: hasher.hash(controller.id, ref) },
    });
    expect(subject.erasedAt).toBeNull();
    const refusal = await t.database.prisma.auditEntry.findFirstOrThrow({
      where: { controllerId: controller.id, action: 'subject:erase' },
      orderBy: { sequence: 'desc' },
    });
    expect(refusal).toMatchObject({ targetId: subject.id, details: { outcome: 'REFUSED_LEGAL_HOLD' } });
    expect(refusal.actorKeyId).not.toBeNull();
    expect(JSON.stringify(refusal)).not.toContain('ivan');

    const closed = expectData(
      await execute(t.app, CloseRequest, { key: keys.AUDITOR, variables: { id: request.id } }),
    ).closeRegulatorRequest;
    expect(closed).toMatchObject({
      __typename: 'RegulatorRequestPayload',
      request: { closedAt: expect.any(String) },
    });
    const erased = expectData(
      await execute(t.app, EraseWithHold, { key: keys.ADMIN, variables: { ref } }),
    ).eraseSubject;
    expect(erased).toMatchObject({ __typename: 'EraseSubjectPayload', notifications: 1 });
    const outcomes = await t.database.prisma.auditEntry.findMany({
      where: { controllerId: controller.id, action: 'subject:erase' },
      orderBy: { sequence: 'asc' },
    });
    expect(outcomes.map((entry) => (entry.details as { outcome: string }).outcome)).toEqual([
      'REFUSED_LEGAL_HOLD',
      'ERASED',
    ]);
    // The closed request no longer names the person's reference hash.
    const stored = await t.database.prisma.regulatorRequest.findFirstOrThrow({
      where: { reference: 'case-1', controllerId: controller.id },
    });
    expect(stored.subjectRefHashes).toHaveLength(1);
    expect(stored.subjectRefHashes[0]).toMatch(/^erased:/);
    expect((await verifyAuditChain(t.database, controller.id)).valid).toBe(true);
  });
});
