import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../../../src/generated/prisma/client.js';
import { verifyAuditChain } from '../../../src/modules/audit/audit.service.js';
import { retentionCutoff } from '../../../src/modules/erasure/retention.policy.js';
import { purgeExpiredRecords, purgeSubjects } from '../../../src/modules/erasure/retention.service.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { useTestApp } from '../../support/test-app.js';
import { testTarget } from '../../support/test-database.js';
import {
  event,
  hasher,
  monthsAfter,
  notification,
  RetentionDecide,
  record,
  response,
  rowCounts,
  scheduledTenant,
  subjectOf,
  testMonths,
} from './retention-fixtures.js';

const OpenRequest = graphql(`
  mutation RetentionOpenRequest($input: OpenRegulatorRequestInput!) {
    openRegulatorRequest(input: $input) {
      ... on RegulatorRequestPayload {
        request {
          id
        }
      }
    }
  }
`);

const CloseRequest = graphql(`
  mutation RetentionCloseRequest($id: ID!) {
    closeRegulatorRequest(id: $id) {
      __typename
    }
  }
`);

const t = useTestApp();

/** A time a minute before now, after the tenant's version was published, and offsets from it. */
function timeline() {
  const t0 = new Date(Date.now() - 60_000);
  return { t0, at: (ms: number) => new Date(t0.getTime() + ms) };
}

/** Far enough ahead that every record made in the test is due. */
const everythingDue = () => monthsAfter(new Date(Date.now() + 86_400_000), testMonths);

const noneHeld = { heldForLegalHold: 0, heldForOpenObjection: 0 };

describe('the retention schedule', () => {
  it('purges whole people whose last processing is before the cutoff and keeps those at it', async () => {
    const { controller, keys, actor } = await scheduledTenant(t);
    const { t0, at } = timeline();
    await record(t, keys, {
      notifications: [
        notification('old', 'n-old', t0),
        notification('old', 'n-old-2', t0),
        notification('edge', 'n-edge', at(1_000)),
      ],
      events: [event('n-old', t0), event('n-old', t0, 'OPENED'), event('n-edge', at(1_000))],
      responses: [response('old', 'r-old', t0)],
    });
    const before = await rowCounts(t, controller.id);
    expect(before).toMatchObject({ subjects: 2, notifications: 3, events: 3, milestones: 3, responses: 1 });

    const boundary = monthsAfter(at(1_000), testMonths);
    const first = await purgeExpiredRecords(t.database, controller.id, { actor, now: boundary });
    expect(first).toEqual({
      controllerId: controller.id,
      dryRun: false,
      retentionMonths: testMonths,
      cutoff: at(1_000),
      subjects: 1,
      notifications: 2,
      events: 2,
      responses: 1,
      objectionCases: 0,
      ...noneHeld,
    });
    expect(await subjectOf(t, controller.id, 'old')).toBeNull();
    expect(await subjectOf(t, controller.id, 'edge')).not.toBeNull();
    expect(await rowCounts(t, controller.id)).toMatchObject({
      subjects: 1,
      notifications: 1,
      events: 1,
      milestones: 1,
      responses: 0,
    });

    const justAfter = new Date(boundary.getTime() + 1);
    const second = await purgeExpiredRecords(t.database, controller.id, { actor, now: justAfter });
    expect(second).toMatchObject({ subjects: 1, notifications: 1, events: 1, responses: 0 });
    expect(await rowCounts(t, controller.id)).toMatchObject({ subjects: 0, events: 0, milestones: 0 });
  });

  describe('counts as last processing (docs/retention.md, "Last processing")', () => {
    const docs = readFileSync(new URL('../../../docs/retention.md', import.meta.url), 'utf8');
    const section = docs.slice(
      docs.indexOf('\n## Last processing\n'),
      docs.indexOf('\n## The decision table\n'),
    );
    const rows = [...section.matchAll(/^\| `([a-z]+)` \|/gm)].map((match) => match[1]!);

    it('has a row for each kind of record', () => {
      expect(rows).toEqual(['notification', 'event', 'response', 'decision', 'subject']);
    });

    /** Per row: seeds person `p`, whose records are all older except one of that kind; answers its date. */
    const seeds: Record<string, (tenant: Awaited<ReturnType<typeof scheduledTenant>>) => Promise<Date>> = {
      notification: async ({ keys }) => {
        const { t0, at } = timeline();
        await record(t, keys, {
          notifications: [notification('p', 'n-1', t0), notification('p', 'n-2', at(2_000))],
        });
        return at(2_000);
      },
      event: async ({ keys }) => {
        const { t0, at } = timeline();
        await record(t, keys, {
          notifications: [notification('p', 'n-1', t0)],
          events: [event('n-1', at(2_000))],
        });
        return at(2_000);
      },
      response: async ({ keys }) => {
        const { t0, at } = timeline();
        await record(t, keys, {
          notifications: [notification('p', 'n-1', t0)],
          responses: [response('p', 'r-1', at(2_000))],
        });
        return at(2_000);
      },
      decision: async ({ controller, keys }) => {
        const { t0 } = timeline();
        await record(t, keys, { responses: [response('p', 'r-1', t0, { kind: 'OBJECTED' })] });
        const [open] = await t.database.prisma.objectionCase.findMany({
          where: { controllerId: controller.id },
        });
        const decided = expectData(
          await execute(t.app, RetentionDecide, {
            key: keys.EDITOR,
            variables: { input: { caseId: open!.id, outcome: 'HONOURED' } },
          }),
        ).decideObjection;
        expect(decided.__typename).toBe('DecideObjectionPayload');
        const { decidedAt } = await t.database.prisma.objectionCase.findUniqueOrThrow({
          where: { id: open!.id },
        });
        return decidedAt!;
      },
      subject: async ({ controller }) => {
        const { at } = timeline();
        await t.database.prisma.subject.create({
          data: {
            controllerId: controller.id,
            refHash: hasher.hash(controller.id, 'p'),
            createdAt: at(2_000),
          },
        });
        return at(2_000);
      },
    };

    it.each(rows)('%s: a later one keeps the person, until the cutoff passes it', async (row) => {
      const tenant = await scheduledTenant(t);
      const latest = await seeds[row]!(tenant);
      const { controller, actor } = tenant;
      const atCutoff = monthsAfter(latest, testMonths);
      const kept = await purgeExpiredRecords(t.database, controller.id, { actor, now: atCutoff });
      expect(kept.subjects).toBe(0);
      expect(await subjectOf(t, controller.id, 'p')).not.toBeNull();
      const after = new Date(atCutoff.getTime() + 1);
      const purged = await purgeExpiredRecords(t.database, controller.id, { actor, now: after });
      expect(purged.subjects).toBe(1);
      expect(await subjectOf(t, controller.id, 'p')).toBeNull();
    });
  });

  it('holds people on legal hold or with an open objection, reports them, and purges them once released', async () => {
    const { controller, keys, actor } = await scheduledTenant(t);
    const { t0 } = timeline();
    await record(t, keys, {
      notifications: [notification('named', 'n-named', t0), notification('free', 'n-free', t0)],
      responses: [
        response('objector', 'r-objection', t0, { kind: 'OBJECTED', objection: { grounds: 'Mine.' } }),
      ],
    });
    const opened = expectData(
      await execute(t.app, OpenRequest, {
        key: keys.AUDITOR,
        variables: { input: { authority: 'CNIL', reference: 'hold-1', subjectRefs: ['named'] } },
      }),
    ).openRegulatorRequest;
    const requestId = (opened as { request: { id: string } }).request.id;

    const held = await purgeExpiredRecords(t.database, controller.id, { actor, now: everythingDue() });
    expect(held).toMatchObject({
      subjects: 1,
      heldForLegalHold: 1,
      heldForOpenObjection: 1,
      objectionCases: 0,
    });
    expect(await subjectOf(t, controller.id, 'named')).not.toBeNull();
    expect(await subjectOf(t, controller.id, 'objector')).not.toBeNull();
    expect(await subjectOf(t, controller.id, 'free')).toBeNull();
    const run = await t.database.prisma.auditEntry.findFirstOrThrow({
      where: { controllerId: controller.id, action: 'retention:run' },
    });
    expect(run.details).toMatchObject({ subjects: 1, heldForLegalHold: 1, heldForOpenObjection: 1 });

    expect(
      expectData(await execute(t.app, CloseRequest, { key: keys.AUDITOR, variables: { id: requestId } }))
        .closeRegulatorRequest.__typename,
    ).toBe('RegulatorRequestPayload');
    const [open] = await t.database.prisma.objectionCase.findMany({ where: { controllerId: controller.id } });
    const decided = expectData(
      await execute(t.app, RetentionDecide, {
        key: keys.EDITOR,
        variables: { input: { caseId: open!.id, outcome: 'REFUSED', refusalReason: 'Fraud prevention.' } },
      }),
    ).decideObjection;
    expect(decided.__typename).toBe('DecideObjectionPayload');

    const released = await purgeExpiredRecords(t.database, controller.id, { actor, now: everythingDue() });
    expect(released).toMatchObject({
      subjects: 2,
      notifications: 1,
      responses: 1,
      objectionCases: 1,
      ...noneHeld,
    });
    expect(await rowCounts(t, controller.id)).toMatchObject({ subjects: 0, objectionCases: 0, responses: 0 });
  });

  it('counts without writing in a dry run, purges in chunks with one audit entry each, and purges nothing more the second time', async () => {
    const { controller, keys, actor } = await scheduledTenant(t);
    const { t0 } = timeline();
    const people = ['p1', 'p2', 'p3', 'p4', 'p5'];
    await record(t, keys, {
      notifications: people.map((ref) => notification(ref, `n-${ref}`, t0)),
      events: people.map((ref) => event(`n-${ref}`, t0)),
      responses: people.slice(0, 2).map((ref) => response(ref, `r-${ref}`, t0)),
    });
    const subjects = await t.database.prisma.subject.findMany({ where: { controllerId: controller.id } });
    const identifying = subjects.flatMap((subject) => [subject.id, subject.refHash]);
    const now = everythingDue();
    const cutoff = retentionCutoff(now, testMonths);
    const expected = { subjects: 5, notifications: 5, events: 5, responses: 2, objectionCases: 0 };
    const before = await rowCounts(t, controller.id);

    const dry = await purgeExpiredRecords(t.database, controller.id, {
      actor,
      now,
      dryRun: true,
      chunkSize: 2,
    });
    expect(dry).toMatchObject({ ...expected, dryRun: true, cutoff });
    expect(await rowCounts(t, controller.id)).toEqual(before);

    const real = await purgeExpiredRecords(t.database, controller.id, { actor, now, chunkSize: 2 });
    expect(real).toMatchObject({ ...expected, dryRun: false, cutoff });
    const entries = await t.database.prisma.auditEntry.findMany({
      where: { controllerId: controller.id, action: { startsWith: 'retention:' } },
      orderBy: { sequence: 'asc' },
    });
    expect(entries.map((entry) => entry.action)).toEqual([
      'retention:purge',
      'retention:purge',
      'retention:purge',
      'retention:run',
    ]);
    expect(entries.map((entry) => (entry.details as { subjects: number }).subjects)).toEqual([2, 2, 1, 5]);
    expect(entries.at(-1)!.details).toEqual({
      cutoff: cutoff.toISOString(),
      retentionMonths: testMonths,
      ...expected,
      ...noneHeld,
    });
    const text = JSON.stringify(entries);
    for (const value of identifying) expect(text).not.toContain(value);

    const again = await purgeExpiredRecords(t.database, controller.id, { actor, now });
    expect(again).toMatchObject({
      subjects: 0,
      notifications: 0,
      events: 0,
      responses: 0,
      objectionCases: 0,
    });
    expect(
      await t.database.prisma.auditEntry.count({
        where: { controllerId: controller.id, action: 'retention:purge' },
      }),
    ).toBe(3);
    expect(await verifyAuditChain(t.database, controller.id)).toMatchObject({ valid: true });
  });

  it('deletes set-based: as many statements for eight people as for two', async () => {
    const statementsFor = async (people: number) => {
      const { controller, keys, actor } = await scheduledTenant(t);
      const { t0 } = timeline();
      const refs = Array.from({ length: people }, (_, i) => `p${i}`);
      await record(t, keys, {
        notifications: refs.map((ref) => notification(ref, `n-${ref}`, t0)),
        events: refs.map((ref) => event(`n-${ref}`, t0)),
        responses: refs.map((ref) => response(ref, `r-${ref}`, t0)),
      });
      const now = everythingDue();
      const { result, count } = await t.database.counter.measure(() =>
        purgeExpiredRecords(t.database, controller.id, { actor, now }),
      );
      expect(result.subjects).toBe(people);
      return count;
    };
    expect(await statementsFor(8)).toBe(await statementsFor(2));
  });

  it('purges nothing for a controller without a schedule, and writes nothing', async () => {
    const { controller, keys, actor } = await scheduledTenant(t, null);
    await record(t, keys, { notifications: [notification('p', 'n-p', timeline().t0)] });
    const before = await rowCounts(t, controller.id);
    const report = await purgeExpiredRecords(t.database, controller.id, { actor, now: everythingDue() });
    expect(report).toMatchObject({ retentionMonths: null, cutoff: null, subjects: 0 });
    expect(await rowCounts(t, controller.id)).toEqual(before);
  });

  it('keeps a person who got a record between the choice of candidates and the delete', async () => {
    const { controller, keys, actor } = await scheduledTenant(t);
    const { t0, at } = timeline();
    await record(t, keys, {
      notifications: ['late-notification', 'late-response', 'control'].map((ref) =>
        notification(ref, `n-${ref}`, t0),
      ),
    });
    const now = monthsAfter(at(1_000), testMonths);
    const cutoff = retentionCutoff(now, testMonths);
    const candidates = await t.database.prisma.subject.findMany({ where: { controllerId: controller.id } });
    expect(candidates).toHaveLength(3);
    // Due when chosen; then each of two gets a record dated after the cutoff.
    await record(t, keys, {
      notifications: [notification('late-notification', 'n-late', at(2_000))],
      responses: [response('late-response', 'r-late', at(2_000))],
    });
    const counts = await purgeSubjects(
      t.database,
      controller.id,
      candidates.map((subject) => subject.id),
      cutoff,
      actor,
      { cutoff: cutoff.toISOString(), retentionMonths: testMonths },
    );
    expect(counts).toEqual({ subjects: 1, notifications: 1, events: 0, responses: 0, objectionCases: 0 });
    expect(await subjectOf(t, controller.id, 'control')).toBeNull();
    expect(await rowCounts(t, controller.id)).toMatchObject({ subjects: 2, notifications: 3, responses: 1 });
  });

  it.skipIf(testTarget !== 'postgres')(
    'skips a person a batch holds right now, without waiting, and takes them at the next run (PostgreSQL)',
    async () => {
      const { controller, keys, actor } = await scheduledTenant(t);
      await record(t, keys, {
        notifications: [
          notification('busy', 'n-busy', timeline().t0),
          notification('idle', 'n-idle', timeline().t0),
        ],
      });
      const busy = (await subjectOf(t, controller.id, 'busy'))!;
      // What a batch writing a record for the person holds until it commits: the foreign-key lock.
      const batch = new pg.Client({ connectionString: t.database.url! });
      await batch.connect();
      try {
        await batch.query('BEGIN');
        await batch.query('SELECT 1 FROM "Subject" WHERE "id" = $1 FOR KEY SHARE', [busy.id]);
        const now = everythingDue();
        const first = await purgeExpiredRecords(t.database, controller.id, { actor, now });
        expect(first.subjects).toBe(1);
        expect(await subjectOf(t, controller.id, 'busy')).not.toBeNull();
        await batch.query('COMMIT');
        const next = await purgeExpiredRecords(t.database, controller.id, { actor, now });
        expect(next.subjects).toBe(1);
        expect(await subjectOf(t, controller.id, 'busy')).toBeNull();
      } finally {
        await batch.end();
      }
    },
  );

  it('refuses every DELETE of proof records outside the job, and the job’s flag opens no other table', async () => {
    const { controller, keys } = await scheduledTenant(t);
    const { t0 } = timeline();
    await record(t, keys, {
      notifications: [notification('p', 'n-p', t0)],
      events: [event('n-p', t0)],
      responses: [
        response('p', 'r-open', t0, { kind: 'OBJECTED' }),
        response('p', 'r-decided', t0, { kind: 'OBJECTED', purposeKey: 'core' }),
      ],
    });
    const caseOf = async (idempotencyKey: string) => {
      const { id } = await t.database.prisma.response.findFirstOrThrow({
        where: { controllerId: controller.id, idempotencyKey },
      });
      return t.database.prisma.objectionCase.findUniqueOrThrow({ where: { responseId: id } });
    };
    const openCase = await caseOf('r-open');
    const decidedCase = await caseOf('r-decided');
    expectData(
      await execute(t.app, RetentionDecide, {
        key: keys.EDITOR,
        variables: { input: { caseId: decidedCase.id, outcome: 'HONOURED' } },
      }),
    );
    const c = Prisma.sql`${controller.id}::uuid`;
    const proofDeletes = {
      Notification: Prisma.sql`DELETE FROM "Notification" WHERE "controllerId" = ${c}`,
      NotificationEvent: Prisma.sql`DELETE FROM "NotificationEvent" WHERE "controllerId" = ${c}`,
      NotificationMilestone: Prisma.sql`DELETE FROM "NotificationMilestone" WHERE "controllerId" = ${c}`,
      Response: Prisma.sql`DELETE FROM "Response" WHERE "controllerId" = ${c}`,
      ObjectionCase: Prisma.sql`DELETE FROM "ObjectionCase" WHERE "id" = ${decidedCase.id}::uuid`,
      Subject: Prisma.sql`DELETE FROM "Subject" WHERE "controllerId" = ${c}`,
    };
    const run = (flag: 'none' | 'erasure' | 'retention', statement: Prisma.Sql) =>
      t.database.prisma.$transaction(async (tx) => {
        if (flag !== 'none') await tx.$executeRaw`SELECT set_config(${`notarium.${flag}`}, 'on', true)`;
        return tx.$executeRaw(statement);
      });
    const before = await rowCounts(t, controller.id);
    for (const [table, statement] of Object.entries(proofDeletes)) {
      await expect(run('none', statement), table).rejects.toThrow(
        /append-only|deleted only by the retention job/,
      );
      await expect(run('erasure', statement), table).rejects.toThrow(
        /append-only|deleted only by the retention job/,
      );
    }
    // Under the flag: never an open case, never an UPDATE, never another append-only table. (A log
    // this small stores no subtree rows: they start at 16 leaves, so TransparencyLogNode has none.)
    const retentionRefuses = [
      Prisma.sql`DELETE FROM "ObjectionCase" WHERE "id" = ${openCase.id}::uuid`,
      Prisma.sql`UPDATE "Notification" SET "locale" = 'de' WHERE "controllerId" = ${c}`,
      Prisma.sql`DELETE FROM "NotificationBatch" WHERE "controllerId" = ${c}`,
      Prisma.sql`DELETE FROM "AuditEntry" WHERE "controllerId" = ${c}`,
      Prisma.sql`DELETE FROM "TransparencyLogLeaf" WHERE "controllerId" = ${c}`,
      Prisma.sql`DELETE FROM "TransparencyLogHead" WHERE "controllerId" = ${c}`,
    ];
    for (const statement of retentionRefuses) {
      await expect(run('retention', statement), statement.sql).rejects.toThrow(
        /append-only|never while open|never changes/,
      );
    }
    expect(await rowCounts(t, controller.id)).toEqual(before);
    expect(
      await t.database.prisma.transparencyLogLeaf.count({ where: { controllerId: controller.id } }),
    ).toBe(1);
    // The flag does let the decided case go (the job deletes it with its person).
    expect(await run('retention', proofDeletes.ObjectionCase)).toBe(1);
  });
});
