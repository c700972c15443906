import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../../src/generated/prisma/client.js';
import type { ResponseInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { createPurpose } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const RecordObjections = graphql(`
  mutation ErasureRecordObjections($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      ... on RecordResponsesPayload {
        accepted
      }
    }
  }
`);

const DecideForErasure = graphql(`
  mutation ErasureDecideObjection($input: DecideObjectionInput!) {
    decideObjection(input: $input) {
      __typename
    }
  }
`);

const EraseWithObjections = graphql(`
  mutation EraseWithObjections($ref: String!) {
    eraseSubject(input: { subjectRef: $ref }) {
      __typename
    }
  }
`);

const FiguresAfterErasure = graphql(`
  query ObjectionFiguresAfterErasure {
    objectionFigures(purposeKeys: ["profiling"]) {
      received
      open
      honoured
      refused
      directMarketing
    }
  }
`);

const t = useTestApp();
const at = new Date(Date.now() - 60_000).toISOString();
const objection = (ref: string, key: string, extra: Partial<ResponseInput> = {}): ResponseInput => ({
  subjectRef: ref,
  purposeKey: 'profiling',
  kind: 'OBJECTED',
  occurredAt: at,
  channel: 'WEB_BANNER',
  idempotencyKey: key,
  ...extra,
});

describe('erasure and objection cases', () => {
  it("sets the person's grounds and the refusal reason to null in open and decided cases, which keep their outcome, dates and flag and still count", async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'profiling', keys.EDITOR);
    const ref = 'grace@example.org';
    expectData(
      await execute(t.app, RecordObjections, {
        key: keys.NOTIFIER,
        variables: {
          input: {
            items: [
              objection(ref, 'o-1', { objection: { grounds: 'Grace Hopper, stalked at 1 Main St.' } }),
              objection(ref, 'o-2', {
                objection: { grounds: 'Grace again: no ads.', directMarketing: true },
              }),
              objection('heidi@example.org', 'o-3', { objection: { grounds: 'Heidi keeps hers.' } }),
              objection(ref, 'o-4', { objection: { grounds: 'Grace, third: the fraud checks.' } }),
            ],
          },
        },
      }),
    );
    const cases = () =>
      t.database.prisma.objectionCase.findMany({
        where: { controllerId: controller.id },
        orderBy: { grounds: 'asc' },
      });
    const all = await cases();
    const [graceOpen, graceMarketing, graceRefused, heidi] = [
      'Grace Hopper',
      'Grace again',
      'Grace, third',
      'Heidi',
    ].map((start) => all.find((row) => row.grounds?.startsWith(start)));
    expect(graceMarketing!.directMarketing).toBe(true);
    const decide = async (caseId: string, outcome: 'HONOURED' | 'REFUSED', refusalReason?: string) =>
      expectData(
        await execute(t.app, DecideForErasure, {
          key: keys.EDITOR,
          variables: { input: { caseId, outcome, refusalReason } },
        }),
      ).decideObjection.__typename;
    expect(await decide(graceMarketing!.id, 'HONOURED')).toBe('DecideObjectionPayload');
    expect(
      await decide(
        graceRefused!.id,
        'REFUSED',
        'Grace says fraud checks stalk her; fraud prevention prevails.',
      ),
    ).toBe('DecideObjectionPayload');
    const figures = async () =>
      expectData(await execute(t.app, FiguresAfterErasure, { key: keys.AUDITOR })).objectionFigures;
    const figuresBefore = await figures();
    expect(figuresBefore).toEqual([{ received: 4, open: 2, honoured: 1, refused: 1, directMarketing: 1 }]);
    const graces = [graceOpen!.id, graceMarketing!.id, graceRefused!.id];
    const before = await t.database.prisma.objectionCase.findMany({ where: { id: { in: graces } } });
    expect(before.find((row) => row.id === graceRefused!.id)?.refusalReason).toMatch(/^Grace says/);

    const erased = expectData(
      await execute(t.app, EraseWithObjections, { key: keys.ADMIN, variables: { ref } }),
    ).eraseSubject;
    expect(erased.__typename).toBe('EraseSubjectPayload');

    const after = await t.database.prisma.objectionCase.findMany({ where: { id: { in: graces } } });
    expect(after).toEqual(before.map((row) => ({ ...row, grounds: null, refusalReason: null })));
    expect(after.find((row) => row.id === graceMarketing!.id)).toMatchObject({
      outcome: 'HONOURED',
      directMarketing: true,
      decidedAt: expect.any(Date),
    });
    expect(after.find((row) => row.id === graceRefused!.id)).toMatchObject({
      outcome: 'REFUSED',
      decidedAt: expect.any(Date),
      decidedByKeyId: expect.any(String),
    });
    expect((await t.database.prisma.objectionCase.findUnique({ where: { id: heidi!.id } }))?.grounds).toBe(
      'Heidi keeps hers.',
    );
    expect(await figures()).toEqual(figuresBefore);
    const dump = JSON.stringify(await t.database.sql(`SELECT * FROM "ObjectionCase"`));
    expect(dump).not.toContain('Grace');
    // The audit entry of the refusal committed to the reason by hash, never by its text.
    const reason = 'Grace says fraud checks stalk her; fraud prevention prevails.';
    const audit = await t.database.prisma.auditEntry.findFirstOrThrow({
      where: { action: 'objection:decide', targetId: graceRefused!.id },
    });
    expect(audit.details).toMatchObject({
      outcome: 'REFUSED',
      refusalReasonSha256: createHash('sha256').update(reason).digest('hex'),
    });
    expect(JSON.stringify(await t.database.sql(`SELECT * FROM "AuditEntry"`))).not.toContain('Grace');
  });

  it("lets only the erasure flag clear a decided case's grounds and refusal reason, and nothing else about it", async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'profiling', keys.EDITOR);
    expectData(
      await execute(t.app, RecordObjections, {
        key: keys.NOTIFIER,
        variables: { input: { items: [objection('ivan', 'o-1', { objection: { grounds: 'Mine.' } })] } },
      }),
    );
    const [decidedCase] = await t.database.prisma.objectionCase.findMany({
      where: { controllerId: controller.id },
    });
    expectData(
      await execute(t.app, DecideForErasure, {
        key: keys.EDITOR,
        variables: { input: { caseId: decidedCase!.id, outcome: 'REFUSED', refusalReason: 'Fraud checks.' } },
      }),
    );
    const update = (flag: boolean, set: Prisma.Sql) =>
      t.database.prisma.$transaction(async (tx) => {
        if (flag) await tx.$executeRaw`SELECT set_config('notarium.erasure', 'on', true)`;
        await tx.$executeRaw`UPDATE "ObjectionCase" SET ${set} WHERE "id" = ${decidedCase!.id}::uuid`;
      });
    await expect(update(false, Prisma.sql`"grounds" = NULL`)).rejects.toThrow(/decided and never changes/);
    await expect(update(true, Prisma.sql`"grounds" = NULL, "outcome" = 'HONOURED'`)).rejects.toThrow(
      /decided and never changes/,
    );
    await expect(update(false, Prisma.sql`"refusalReason" = NULL`)).rejects.toThrow(
      /decided and never changes/,
    );
    await expect(update(true, Prisma.sql`"refusalReason" = 'Other words.'`)).rejects.toThrow(
      /decided and never changes/,
    );
    await expect(update(true, Prisma.sql`"grounds" = 'Other words.'`)).rejects.toThrow(
      /decided and never changes/,
    );
    await expect(update(true, Prisma.sql`"refusalReason" = NULL, "decidedAt" = now()`)).rejects.toThrow(
      /decided and never changes/,
    );
    await expect(
      t.database.prisma.objectionCase.findUnique({ where: { id: decidedCase!.id } }),
    ).resolves.toMatchObject({ grounds: 'Mine.', outcome: 'REFUSED', refusalReason: 'Fraud checks.' });
    await update(true, Prisma.sql`"grounds" = NULL`);
    await expect(
      t.database.prisma.objectionCase.findUnique({ where: { id: decidedCase!.id } }),
    ).resolves.toMatchObject({ grounds: null, outcome: 'REFUSED', refusalReason: 'Fraud checks.' });
    await update(true, Prisma.sql`"grounds" = NULL, "refusalReason" = NULL`);
    await expect(
      t.database.prisma.objectionCase.findUnique({ where: { id: decidedCase!.id } }),
    ).resolves.toMatchObject({
      grounds: null,
      outcome: 'REFUSED',
      refusalReason: null,
      decidedAt: expect.any(Date),
    });
  });
});
