import { describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { EligibilityService } from '../../../src/modules/eligibility/eligibility.service.js';
import { ObjectionService } from '../../../src/modules/objection/objection.service.js';
import type { ObjectionDecisionOutcome, ResponseInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeKey, makeTenant } from '../../support/factories.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  inDays,
  publishAsOf,
} from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';

const ObjectionRecordResponses = graphql(`
  mutation ObjectionRecordResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      __typename
      ... on RecordResponsesPayload {
        accepted
        rejected
        items {
          recordId
          status
          error {
            code
            message
          }
        }
      }
    }
  }
`);

const ObjectionRecordEvents = graphql(`
  mutation ObjectionRecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      __typename
    }
  }
`);

const ObjectionRecordNotifications = graphql(`
  mutation ObjectionRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
    }
  }
`);

const ObjectionCases = graphql(`
  query ObjectionCases($purposeKey: String, $outcome: ObjectionOutcome, $overdue: Boolean) {
    objectionCases(purposeKey: $purposeKey, outcome: $outcome, overdue: $overdue, first: 50) {
      edges {
        node {
          id
          purposeKey
          openedAt
          grounds
          directMarketing
          outcome
          refusalReason
          decidedAt
          decidedByKeyId
        }
      }
    }
  }
`);

const ObjectionCasesWithResponses = graphql(`
  query ObjectionCasesWithResponses {
    objectionCases(first: 50) {
      edges {
        node {
          grounds
          response {
            id
            kind
            objectionCase {
              outcome
            }
          }
        }
      }
    }
  }
`);

const DecideObjection = graphql(`
  mutation DecideObjection($input: DecideObjectionInput!) {
    decideObjection(input: $input) {
      __typename
      ... on DecideObjectionPayload {
        objectionCase {
          id
          outcome
          refusalReason
          decidedAt
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const ObjectionFiguresQuery = graphql(`
  query ObjectionFiguresQuery($purposeKeys: [String!], $at: DateTime) {
    objectionFigures(purposeKeys: $purposeKeys, at: $at) {
      purposeKey
      received
      open
      honoured
      refused
      directMarketing
      overdue
      decisionDays
      decisionSecondsP50
      decisionSecondsP95
    }
  }
`);

const ObjectionEligibility = graphql(`
  query ObjectionEligibility($ref: String!, $purposeKey: String!, $at: DateTime) {
    subject(ref: $ref) {
      id
      eligibility(purposeKey: $purposeKey, at: $at) {
        __typename
        ... on EligibilityResult {
          decision
          rule
          explanation
        }
      }
    }
  }
`);

const ObjectionSettings = graphql(`
  mutation ObjectionSettings($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
      ... on UpdateControllerSettingsPayload {
        controller {
          objectionDecisionDays
        }
      }
      ... on Error {
        code
      }
    }
  }
`);

const t = useTestApp();
const day = 24 * 60 * 60 * 1000;
const ago = (days: number) => new Date(Date.now() - days * day).toISOString();
let sequence = 0;
const nextKey = (prefix: string) => `${prefix}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

function objection(ref: string, purposeKey: string, extra: Partial<ResponseInput> = {}): ResponseInput {
  return {
    subjectRef: ref,
    purposeKey,
    kind: 'OBJECTED',
    occurredAt: ago(5),
    channel: 'WEB_BANNER',
    idempotencyKey: nextKey('objection'),
    ...extra,
  };
}

async function record(app: App, key: string, items: ResponseInput[]) {
  const result = expectData(
    await execute(app, ObjectionRecordResponses, { key, variables: { input: { items } } }),
  ).recordResponses;
  if (result.__typename !== 'RecordResponsesPayload') throw new Error(result.__typename);
  return result;
}

async function cases(app: App, key: string, variables: Parameters<typeof listVariables>[0] = {}) {
  return expectData(
    await execute(app, ObjectionCases, { key, variables: listVariables(variables) }),
  ).objectionCases.edges.map((edge) => edge.node);
}
function listVariables(v: {
  purposeKey?: string;
  outcome?: 'OPEN' | 'HONOURED' | 'REFUSED';
  overdue?: boolean;
}) {
  return v;
}

async function decide(
  app: App,
  key: string,
  caseId: string,
  outcome: ObjectionDecisionOutcome,
  refusalReason?: string,
) {
  return expectData(
    await execute(app, DecideObjection, { key, variables: { input: { caseId, outcome, refusalReason } } }),
  ).decideObjection;
}

/** A legitimate-interests purpose in a notice in force for 90 days; `refs` reached 40 days ago. */
async function reachedPopulation(
  keys: Record<'EDITOR' | 'NOTIFIER', string>,
  purposeKey: string,
  refs: string[],
) {
  await createPurpose(t.app, purposeKey, keys.EDITOR);
  const noticeKey = `${purposeKey}-notice`;
  await createNotice(t.app, noticeKey, keys.EDITOR);
  const draft = await createDraft(t.app, keys.EDITOR, {
    noticeKey,
    purposeKeys: [purposeKey],
    effectiveFrom: inDays(0),
  });
  await publishAsOf(t.database, draft, new Date(ago(90)), 'first version of a new notice');
  const notifications = refs.map((ref) => ({
    subjectRef: ref,
    noticeKey,
    versionNumber: 1,
    channel: 'IN_APP' as const,
    locale: 'en',
    occurredAt: ago(40),
    idempotencyKey: nextKey('n'),
  }));
  expectData(
    await execute(t.app, ObjectionRecordNotifications, {
      key: keys.NOTIFIER,
      variables: { input: { items: notifications } },
    }),
  );
  expectData(
    await execute(t.app, ObjectionRecordEvents, {
      key: keys.NOTIFIER,
      variables: {
        input: {
          items: notifications.map((n) => ({
            notificationIdempotencyKey: n.idempotencyKey,
            type: 'DISPLAYED' as const,
            occurredAt: ago(40),
          })),
        },
      },
    }),
  );
}

describe('objection cases', () => {
  it('each objection opens one case with its grounds, in the transaction that records it; a retry opens none', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'profiling', keys.EDITOR);
    const first = objection('alice', 'profiling', {
      objection: { grounds: 'I am a public figure at risk.' },
    });
    const marketing = objection('bob', 'profiling', { objection: { directMarketing: true } });
    const withdrawal = { ...objection('carol', 'profiling'), kind: 'OBJECTION_WITHDRAWN' as const };
    const recorded = await record(t.app, keys.NOTIFIER, [first, marketing, withdrawal]);
    expect(recorded).toMatchObject({ accepted: 3, rejected: 0 });

    const opened = await cases(t.app, keys.EDITOR);
    expect(opened).toHaveLength(2);
    const alice = opened.find((c) => c.grounds !== null)!;
    expect(alice).toMatchObject({
      purposeKey: 'profiling',
      grounds: 'I am a public figure at risk.',
      directMarketing: false,
      outcome: 'OPEN',
      decidedAt: null,
      refusalReason: null,
    });
    // An auditor sees the response behind each case, and the case from the response.
    const withResponses = expectData(
      await execute(t.app, ObjectionCasesWithResponses, { key: keys.AUDITOR }),
    ).objectionCases.edges.map((edge) => edge.node);
    expect(withResponses.find((c) => c.grounds !== null)?.response).toEqual({
      id: recorded.items[0]!.recordId,
      kind: 'OBJECTED',
      objectionCase: { outcome: 'OPEN' },
    });
    expect(new Date(alice.openedAt).toISOString()).toBe(first.occurredAt);
    expect(opened.find((c) => c.grounds === null)).toMatchObject({ directMarketing: true });

    // The same items again: nothing new, no second case.
    const retried = await record(t.app, keys.NOTIFIER, [first, marketing]);
    expect(retried.items.map((item) => item.status)).toEqual(['DUPLICATE', 'DUPLICATE']);
    expect(await t.database.prisma.objectionCase.count({ where: { controllerId: controller.id } })).toBe(2);
    // Grounds stay out of the record hash (erasure scrubs them): a retry with others is the same
    // record, and the case keeps the grounds first recorded.
    const changed = await record(t.app, keys.NOTIFIER, [
      { ...first, objection: { grounds: 'Something else.' } },
    ]);
    expect(changed.items.map((item) => item.status)).toEqual(['DUPLICATE']);
    expect((await cases(t.app, keys.EDITOR)).map((c) => c.grounds).sort()).toEqual([
      'I am a public figure at risk.',
      null,
    ]);
    // Details on anything but an objection are refused.
    const misplaced = await record(t.app, keys.NOTIFIER, [
      { ...withdrawal, idempotencyKey: nextKey('c'), objection: { grounds: 'x' } },
    ]);
    expect(misplaced.items[0]!.error?.code).toBe('VALIDATION_FAILED');
    expect(await t.database.prisma.objectionCase.count({ where: { controllerId: controller.id } })).toBe(2);
  });

  it('is decided once: the same decision again is the same result, another one a CONFLICT; direct marketing cannot be refused', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'analytics', keys.EDITOR);
    await record(t.app, keys.NOTIFIER, [
      objection('dan', 'analytics', { objection: { grounds: 'My situation.' } }),
      objection('eve', 'analytics', { objection: { directMarketing: true } }),
    ]);
    const [dan, eve] = (await cases(t.app, keys.EDITOR)).sort(
      (a, b) => Number(a.directMarketing) - Number(b.directMarketing),
    );

    const refused = await decide(
      t.app,
      keys.EDITOR,
      dan!.id,
      'REFUSED',
      'Fraud prevention outweighs (Art. 21(1)).',
    );
    expect(refused).toMatchObject({
      __typename: 'DecideObjectionPayload',
      objectionCase: { outcome: 'REFUSED', refusalReason: 'Fraud prevention outweighs (Art. 21(1)).' },
    });
    const again = await decide(
      t.app,
      keys.EDITOR,
      dan!.id,
      'REFUSED',
      'Fraud prevention outweighs (Art. 21(1)).',
    );
    expect(again).toEqual(refused);
    expect(await decide(t.app, keys.EDITOR, dan!.id, 'HONOURED')).toMatchObject({ code: 'CONFLICT' });
    expect(await decide(t.app, keys.EDITOR, dan!.id, 'REFUSED', 'Another reason.')).toMatchObject({
      code: 'CONFLICT',
    });

    expect(await decide(t.app, keys.EDITOR, eve!.id, 'REFUSED', 'We like marketing.')).toMatchObject({
      __typename: 'DirectMarketingObjectionError',
      code: 'DIRECT_MARKETING_OBJECTION_ABSOLUTE',
    });
    expect(await decide(t.app, keys.EDITOR, eve!.id, 'REFUSED')).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await decide(t.app, keys.EDITOR, eve!.id, 'HONOURED', 'not for honouring')).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(await decide(t.app, keys.EDITOR, 'not-an-id', 'HONOURED')).toMatchObject({ code: 'NOT_FOUND' });
    const honoured = await decide(t.app, keys.ADMIN, eve!.id, 'HONOURED');
    expect(honoured).toMatchObject({ objectionCase: { outcome: 'HONOURED', refusalReason: null } });

    const decided = await cases(t.app, keys.AUDITOR, { outcome: 'REFUSED' });
    expect(decided.map((c) => c.id)).toEqual([dan!.id]);
    const editorKey = await t.database.prisma.apiKey.findFirstOrThrow({
      where: { controllerId: controller.id, role: 'EDITOR' },
    });
    expect(decided[0]!.decidedByKeyId).toBe(editorKey.id);
    // One audit entry per decision actually made; the repeated one wrote nothing.
    expect(
      await t.database.prisma.auditEntry.count({
        where: { controllerId: controller.id, action: 'objection:decide' },
      }),
    ).toBe(2);
    // A decided case never changes, whoever writes to the table.
    await expect(
      t.database.prisma.objectionCase.update({
        where: { id: rawId(dan!.id) },
        data: { outcome: 'HONOURED' },
      }),
    ).rejects.toThrow();
    // Readers, notifiers and auditors do not decide.
    for (const key of [keys.READER, keys.NOTIFIER, keys.AUDITOR]) {
      const denied = await execute(t.app, DecideObjection, {
        key,
        variables: { input: { caseId: eve!.id, outcome: 'HONOURED' } },
      });
      expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('figures per purpose: received, honoured, refused, overdue against the controller’s deadline, time to decide', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const base = Date.now();
    const ago = (days: number) => new Date(base - days * day).toISOString();
    await createPurpose(t.app, 'fig-a', keys.EDITOR);
    await createPurpose(t.app, 'fig-b', keys.EDITOR);
    await record(t.app, keys.NOTIFIER, [
      objection('f1', 'fig-a', { occurredAt: ago(40) }),
      objection('f2', 'fig-a', { occurredAt: ago(20) }),
      objection('f3', 'fig-a', { occurredAt: ago(10) }),
      objection('f4', 'fig-a', { occurredAt: ago(2), objection: { directMarketing: true } }),
    ]);
    const service = new ObjectionService(t.database, {
      apiKeyId: (await makeKey(t.database.prisma, controller.id, 'EDITOR')).id,
      keyName: 'decider',
      role: 'EDITOR',
      controllerId: controller.id,
    });
    const byRef = new Map(
      (
        await t.database.prisma.objectionCase.findMany({
          where: { controllerId: controller.id },
          include: { response: { include: { subject: true } } },
        })
      ).map((c) => [c.openedAt.getTime(), c.id]),
    );
    const [c1, c2] = [...byRef.entries()].sort((a, b) => a[0] - b[0]).map(([, id]) => id);
    // Decided 1 day and 3 days after the objection.
    await service.decide({ caseId: c1!, outcome: 'HONOURED' }, new Date(base - 39 * day));
    await service.decide(
      { caseId: c2!, outcome: 'REFUSED', refusalReason: 'Compelling.' },
      new Date(base - 17 * day),
    );

    const figures = expectData(
      await execute(t.app, ObjectionFiguresQuery, { key: keys.AUDITOR, variables: {} }),
    ).objectionFigures;
    expect(figures).toEqual([
      {
        purposeKey: 'fig-a',
        received: 4,
        open: 2,
        honoured: 1,
        refused: 1,
        directMarketing: 1,
        overdue: 0,
        decisionDays: 30,
        decisionSecondsP50: 2 * 86_400,
        decisionSecondsP95: 86_400 + 0.95 * 2 * 86_400,
      },
      {
        purposeKey: 'fig-b',
        received: 0,
        open: 0,
        honoured: 0,
        refused: 0,
        directMarketing: 0,
        overdue: 0,
        decisionDays: 30,
        decisionSecondsP50: null,
        decisionSecondsP95: null,
      },
    ]);
    // A shorter deadline makes the 10-day-old open case overdue; the 2-day-old one is not.
    const setting = expectData(
      await execute(t.app, ObjectionSettings, {
        key: keys.ADMIN,
        variables: { input: { objectionDecisionDays: 7 } },
      }),
    ).updateControllerSettings;
    expect(setting).toMatchObject({ controller: { objectionDecisionDays: 7 } });
    const [a] = expectData(
      await execute(t.app, ObjectionFiguresQuery, {
        key: keys.EDITOR,
        variables: { purposeKeys: ['fig-a'] },
      }),
    ).objectionFigures;
    expect(a).toMatchObject({ purposeKey: 'fig-a', overdue: 1, decisionDays: 7 });
    expect((await cases(t.app, keys.EDITOR, { overdue: true })).map((c) => c.purposeKey)).toEqual(['fig-a']);
    // As of 38.5 days ago only f1 had objected, and it had been honoured half a day before.
    const [past] = expectData(
      await execute(t.app, ObjectionFiguresQuery, {
        key: keys.EDITOR,
        variables: { purposeKeys: ['fig-a'], at: ago(38.5) },
      }),
    ).objectionFigures;
    expect(past).toMatchObject({ received: 1, open: 0, honoured: 1, decisionSecondsP50: 86_400 });
    const invalid = expectData(
      await execute(t.app, ObjectionSettings, {
        key: keys.ADMIN,
        variables: { input: { objectionDecisionDays: 0 } },
      }),
    ).updateControllerSettings;
    expect(invalid).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('lists cases and figures in a constant number of statements', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'count-a', keys.EDITOR);
    await createPurpose(t.app, 'count-b', keys.EDITOR);
    const few = [objection('q1', 'count-a'), objection('q2', 'count-b')];
    const many = Array.from({ length: 12 }, (_, index) =>
      objection(`m${index}`, index % 2 ? 'count-a' : 'count-b'),
    );
    await record(t.app, keys.NOTIFIER, few);
    const small = await t.database.counter.measure(() => cases(t.app, keys.EDITOR));
    const smallFigures = await t.database.counter.measure(() =>
      execute(t.app, ObjectionFiguresQuery, { key: keys.EDITOR, variables: {} }),
    );
    await record(t.app, keys.NOTIFIER, many);
    const large = await t.database.counter.measure(() => cases(t.app, keys.EDITOR));
    const largeFigures = await t.database.counter.measure(() =>
      execute(t.app, ObjectionFiguresQuery, { key: keys.EDITOR, variables: {} }),
    );
    expect(large.result).toHaveLength(14);
    expect(large.count).toBe(small.count);
    expect(largeFigures.count).toBe(smallFigures.count);
  });

  it('are invisible to other controllers, who cannot decide them either', async () => {
    const mine = await makeTenant(t.database.prisma);
    const theirs = await makeTenant(t.database.prisma);
    await createPurpose(t.app, 'iso', mine.keys.EDITOR);
    await createPurpose(t.app, 'iso', theirs.keys.EDITOR);
    await record(t.app, mine.keys.NOTIFIER, [
      objection('same-ref', 'iso', { objection: { grounds: 'private' } }),
    ]);
    const [own] = await cases(t.app, mine.keys.EDITOR);
    expect(await cases(t.app, theirs.keys.EDITOR)).toEqual([]);
    expect(await decide(t.app, theirs.keys.EDITOR, own!.id, 'HONOURED')).toMatchObject({ code: 'NOT_FOUND' });
    const [figures] = expectData(
      await execute(t.app, ObjectionFiguresQuery, { key: theirs.keys.AUDITOR, variables: {} }),
    ).objectionFigures;
    expect(figures).toMatchObject({ purposeKey: 'iso', received: 0 });
    expect((await cases(t.app, mine.keys.EDITOR))[0]).toMatchObject({ outcome: 'OPEN' });
  });
});

describe('eligibility with objection cases (docs/eligibility.md, "Objection cases")', () => {
  it('an open or honoured objection excludes the person, a refused one does not; the bulk path agrees', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    const refs = ['open', 'honoured', 'refused', 'none', 'refused-then-again'];
    await reachedPopulation(keys, 'li', refs);
    const recorded = await record(t.app, keys.NOTIFIER, [
      objection('open', 'li', { occurredAt: ago(5) }),
      objection('honoured', 'li', { occurredAt: ago(5) }),
      objection('refused', 'li', { occurredAt: ago(5), objection: { grounds: 'Personal reasons.' } }),
      objection('refused-then-again', 'li', { occurredAt: ago(5) }),
    ]);
    const caseOf = async (responseId: string) =>
      (await t.database.prisma.objectionCase.findUniqueOrThrow({ where: { responseId: rawId(responseId) } }))
        .id;
    const service = new ObjectionService(t.database, {
      apiKeyId: (await makeKey(t.database.prisma, controller.id, 'EDITOR')).id,
      keyName: 'decider',
      role: 'EDITOR',
      controllerId: controller.id,
    });
    // Decided a minute from now: until then the cases are open.
    const decidedAt = new Date(Date.now() + 60_000);
    const after = new Date(decidedAt.getTime() + 1000).toISOString();
    await service.decide(
      { caseId: await caseOf(recorded.items[1]!.recordId!), outcome: 'HONOURED' },
      decidedAt,
    );
    for (const index of [2, 3]) {
      await service.decide(
        {
          caseId: await caseOf(recorded.items[index]!.recordId!),
          outcome: 'REFUSED',
          refusalReason: 'Security of the service.',
        },
        decidedAt,
      );
    }
    // A new objection after the refusal opens a new, open case.
    await record(t.app, keys.NOTIFIER, [objection('refused-then-again', 'li', { occurredAt: ago(0) })]);

    const decision = async (ref: string, at: string) => {
      const result = expectData(
        await execute(t.app, ObjectionEligibility, {
          key: keys.AUDITOR,
          variables: { ref, purposeKey: 'li', at },
        }),
      ).subject!;
      if (result.eligibility.__typename !== 'EligibilityResult')
        throw new Error(result.eligibility.__typename);
      return { id: rawId(result.id), ...result.eligibility };
    };
    const decided = Object.fromEntries(
      await Promise.all(refs.map(async (ref) => [ref, await decision(ref, after)] as const)),
    );
    expect(decided.open).toMatchObject({ decision: 'DENIED', rule: 'OBJECTED' });
    expect(decided.open!.explanation).toContain('its case is open');
    expect(decided.honoured).toMatchObject({ decision: 'DENIED', rule: 'OBJECTED' });
    expect(decided.honoured!.explanation).toContain('honoured on');
    expect(decided.refused).toMatchObject({ decision: 'ALLOWED', rule: 'LEGITIMATE_INTERESTS_NOTIFIED' });
    expect(decided.none).toMatchObject({ decision: 'ALLOWED' });
    expect(decided['refused-then-again']).toMatchObject({ decision: 'DENIED', rule: 'OBJECTED' });
    // Before the decisions the cases were open: the refused objection still excluded the person.
    const before = new Date(decidedAt.getTime() - 1000).toISOString();
    expect(await decision('refused', before)).toMatchObject({ decision: 'DENIED', rule: 'OBJECTED' });
    expect((await decision('honoured', before)).explanation).toContain('its case is open');

    const eligibility = new EligibilityService(t.database, {
      apiKeyId: (await makeKey(t.database.prisma, controller.id, 'AUDITOR')).id,
      keyName: 'check',
      role: 'AUDITOR',
      controllerId: controller.id,
    });
    const allowed = refs.filter((ref) => decided[ref]!.decision === 'ALLOWED').map((ref) => decided[ref]!.id);
    expect(allowed).toHaveLength(2);
    expect(await eligibility.eligibleSubjectIds('li', new Date(after), new Date(after))).toEqual(
      allowed.sort(),
    );
    expect(await eligibility.eligibleSubjectIds('li', new Date(before), new Date(after))).toEqual([
      decided.none!.id,
    ]);
    // Known before the refusal was recorded: the bulk path does not see it.
    expect(await eligibility.eligibleSubjectIds('li', new Date(after), new Date(before))).toEqual([
      decided.none!.id,
    ]);
  });
});
