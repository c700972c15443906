import { describe, expect, it } from 'vitest';
import type {
  CreateCampaignInput,
  NotificationEventInput,
  NotificationInput,
  ResponseInput,
} from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData, type GraphQLResponse, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNoticeAsOf } from '../../support/notice-fixtures.js';
import { type TestContext, useTestApp } from '../../support/test-app.js';

const CreateCampaign = graphql(`
  mutation CreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      __typename
      ... on CampaignPayload {
        campaign {
          id
          name
          channels
          audienceDescription
          plannedSize
          version {
            noticeKey
            number
          }
        }
      }
      ... on Error {
        code
        message
      }
      ... on ConflictError {
        field
      }
      ... on NotFoundError {
        resource
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

const CreateCampaignSelectingAll = graphql(`
  mutation CreateCampaignSelectingAll($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      __typename
      ... on CampaignPayload {
        campaign {
          id
          name
          notYetNotified(first: 1) {
            edges {
              node {
                id
              }
            }
          }
        }
      }
    }
  }
`);

const CampaignFigures = graphql(`
  query CampaignFigures($id: ID!) {
    campaign(id: $id) {
      id
      name
      figures {
        total {
          recorded
          sent
          delivered
          bouncedOrFailed
          opened
          acknowledged
          objected
        }
        byChannel {
          channel
          totals {
            recorded
            sent
            delivered
            bouncedOrFailed
            opened
            acknowledged
          }
        }
        byCountry {
          country
          totals {
            recorded
            sent
            delivered
            bouncedOrFailed
            opened
            acknowledged
          }
        }
        byDay {
          day
          totals {
            recorded
            sent
            delivered
            bouncedOrFailed
            opened
            acknowledged
          }
        }
      }
    }
  }
`);

const NotYetNotified = graphql(`
  query NotYetNotified($id: ID!, $first: Int!, $after: String) {
    campaign(id: $id) {
      notYetNotified(first: $first, after: $after) {
        edges {
          node {
            id
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

const CampaignList = graphql(`
  query CampaignList($first: Int!) {
    campaigns(first: $first) {
      edges {
        node {
          id
          name
          figures {
            total {
              recorded
              delivered
              objected
            }
          }
        }
      }
    }
  }
`);

const CampaignNode = graphql(`
  query CampaignNode($id: ID!) {
    node(id: $id) {
      __typename
      id
    }
  }
`);

const SubjectId = graphql(`
  query CampaignSubjectId($ref: String!) {
    subject(ref: $ref) {
      id
    }
  }
`);

const RecordNotifications = graphql(`
  mutation CampaignRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ... on RecordNotificationsPayload {
        accepted
        duplicates
        rejected
        items {
          status
          error {
            code
          }
        }
      }
    }
  }
`);

const RecordEvents = graphql(`
  mutation CampaignRecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      __typename
      ... on RecordNotificationEventsPayload {
        accepted
        duplicates
        rejected
      }
    }
  }
`);

const RecordResponses = graphql(`
  mutation CampaignRecordResponses($input: RecordResponsesInput!) {
    recordResponses(input: $input) {
      __typename
      ... on RecordResponsesPayload {
        accepted
        duplicates
        rejected
      }
    }
  }
`);

// The notices are published six days ago; the records fall on the (UTC) days after that, up to
// yesterday (day1 the day before yesterday, day2 yesterday), so every hour used below is after
// publication and in the past.
const dayMs = 24 * 60 * 60 * 1000;
const published = new Date(Date.now() - 6 * dayMs);
const utcDay = (daysAgo: number) => new Date(Date.now() - daysAgo * dayMs).toISOString().slice(0, 10);
const day1 = utcDay(2);
const day2 = utcDay(1);
const at = (day: string, hour: number) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;

function campaignInput(overrides: Partial<CreateCampaignInput> = {}): CreateCampaignInput {
  return {
    name: 'AI training notice, June',
    noticeKey: 'ai-notice',
    versionNumber: 1,
    channels: ['PUSH', 'EMAIL', 'SMS'],
    audienceDescription: 'Adult users in the EU with public posts',
    plannedSize: 10,
    ...overrides,
  };
}

function notification(
  idempotencyKey: string,
  subjectRef: string,
  channel: NotificationInput['channel'],
  jurisdiction: string | null,
  occurredAt: string,
  campaignId: string | null,
  noticeKey = 'ai-notice',
): NotificationInput {
  return {
    idempotencyKey,
    subjectRef,
    channel,
    jurisdiction,
    occurredAt,
    campaignId,
    noticeKey,
    versionNumber: 1,
    locale: 'en',
  };
}

function event(
  key: string,
  type: NotificationEventInput['type'],
  occurredAt: string,
): NotificationEventInput {
  return { notificationIdempotencyKey: key, type, occurredAt };
}

function objection(
  idempotencyKey: string,
  subjectRef: string,
  occurredAt: string,
  noticeKey = 'ai-notice',
): ResponseInput {
  return {
    idempotencyKey,
    subjectRef,
    purposeKey: `${noticeKey}-p`,
    kind: 'OBJECTED',
    occurredAt,
    channel: 'WEB_BANNER',
    noticeKey,
    versionNumber: 1,
  };
}

async function createCampaign(t: TestContext, key: string, input: CreateCampaignInput) {
  return expectData(await execute(t.app, CreateCampaign, { key, variables: { input } })).createCampaign;
}

async function newCampaign(t: TestContext, key: string, input: CreateCampaignInput = campaignInput()) {
  const result = await createCampaign(t, key, input);
  if (result.__typename !== 'CampaignPayload') throw new Error(JSON.stringify(result));
  return result.campaign;
}

async function recordNotifications(t: TestContext, key: string, items: NotificationInput[]) {
  const result = expectData(
    await execute(t.app, RecordNotifications, { key, variables: { input: { items } } }),
  ).recordNotifications;
  if (result.__typename !== 'RecordNotificationsPayload') throw new Error(result.__typename);
  return result;
}

async function recordEvents(t: TestContext, key: string, items: NotificationEventInput[]) {
  const result = expectData(
    await execute(t.app, RecordEvents, { key, variables: { input: { items } } }),
  ).recordNotificationEvents;
  if (result.__typename !== 'RecordNotificationEventsPayload') throw new Error(result.__typename);
  return result;
}

async function recordResponses(t: TestContext, key: string, items: ResponseInput[]) {
  const result = expectData(
    await execute(t.app, RecordResponses, { key, variables: { input: { items } } }),
  ).recordResponses;
  if (result.__typename !== 'RecordResponsesPayload') throw new Error(result.__typename);
  return result;
}

async function figuresOf(t: TestContext, key: string, id: string) {
  const campaign = expectData(await execute(t.app, CampaignFigures, { key, variables: { id } })).campaign;
  if (!campaign) throw new Error('campaign not visible');
  return campaign.figures;
}

const counts = (
  recorded: number,
  sent: number,
  delivered: number,
  bouncedOrFailed: number,
  opened: number,
  acknowledged: number,
) => ({ recorded, sent, delivered, bouncedOrFailed, opened, acknowledged });

/** Two published notices (ai-notice, other-notice) and a tenant with one key per role. */
async function tenantWithNotices(t: TestContext) {
  const tenant = await makeTenant(t.database.prisma);
  await publishedNoticeAsOf(t.app, t.database, tenant.keys.ADMIN, 'ai-notice', published);
  await publishedNoticeAsOf(t.app, t.database, tenant.keys.ADMIN, 'other-notice', published);
  return tenant;
}

describe('campaigns', () => {
  const t = useTestApp();

  it('creates a campaign; a retry returns it; other content, unknown versions and bad input are typed errors', async () => {
    const { controller, keys } = await tenantWithNotices(t);
    const created = await newCampaign(t, keys.NOTIFIER);
    expect(created).toMatchObject({
      name: 'AI training notice, June',
      channels: ['EMAIL', 'PUSH', 'SMS'],
      audienceDescription: 'Adult users in the EU with public posts',
      plannedSize: 10,
      version: { noticeKey: 'ai-notice', number: 1 },
    });

    const retried = await newCampaign(t, keys.ADMIN, campaignInput({ channels: ['SMS', 'EMAIL', 'PUSH'] }));
    expect(retried.id).toBe(created.id);

    for (const other of [
      campaignInput({ plannedSize: 11 }),
      campaignInput({ channels: ['EMAIL'] }),
      campaignInput({ audienceDescription: 'Everyone' }),
      campaignInput({ noticeKey: 'other-notice' }),
    ]) {
      expect(await createCampaign(t, keys.NOTIFIER, other)).toMatchObject({
        __typename: 'ConflictError',
        code: 'CONFLICT',
        field: 'name',
      });
    }

    expect(
      await createCampaign(t, keys.NOTIFIER, campaignInput({ name: 'Other', versionNumber: 2 })),
    ).toMatchObject({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
      resource: 'NoticeVersion',
    });
    expect(
      await createCampaign(t, keys.NOTIFIER, campaignInput({ name: 'Other', noticeKey: 'nope' })),
    ).toMatchObject({
      __typename: 'NotFoundError',
    });

    const invalid = await createCampaign(t, keys.NOTIFIER, {
      name: '  ',
      noticeKey: 'Bad Key',
      versionNumber: 0,
      channels: [],
      audienceDescription: '',
      plannedSize: 0,
    });
    if (invalid.__typename !== 'InputValidationError') throw new Error(invalid.__typename);
    expect(invalid.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'input.audienceDescription',
      'input.channels',
      'input.name',
      'input.noticeKey',
      'input.plannedSize',
      'input.versionNumber',
    ]);
    const repeated = await createCampaign(
      t,
      keys.NOTIFIER,
      campaignInput({ name: 'Twice', channels: ['EMAIL', 'EMAIL'] }),
    );
    if (repeated.__typename !== 'InputValidationError') throw new Error(repeated.__typename);
    expect(repeated.issues).toEqual([{ path: ['input', 'channels'], message: 'must not repeat a channel' }]);

    expect(await t.database.prisma.campaign.count({ where: { controllerId: controller.id } })).toBe(1);
  });

  it('keeps exact live figures by channel, country and day, and lists who was not notified', async () => {
    const { keys } = await tenantWithNotices(t);
    const campaign = await newCampaign(t, keys.NOTIFIER);
    const id = campaign.id;

    // A sender reports a delivery before the notification itself is recorded.
    expect(await recordEvents(t, keys.NOTIFIER, [event('n3', 'DELIVERED', at(day2, 9))])).toMatchObject({
      accepted: 1,
    });
    const recorded = await recordNotifications(t, keys.NOTIFIER, [
      notification('n1', 's1', 'EMAIL', 'DE', at(day1, 8), id),
      notification('n2', 's2', 'EMAIL', 'FR', at(day1, 8), id),
      notification('n3', 's3', 'PUSH', 'DE', at(day2, 8), id),
      notification('n4', 's4', 'PUSH', 'FR', at(day2, 8), id),
      notification('n5', 's5', 'EMAIL', 'DE', at(day2, 8), id),
      notification('n6', 's6', 'PUSH', null, at(day1, 8), id),
      // Not part of the campaign: s8 learns of the version another way; s1, s7 and s9 of another notice.
      notification('v8', 's8', 'IN_APP', 'DE', at(day1, 9), null),
      notification('o1', 's1', 'EMAIL', 'DE', at(day1, 9), null, 'other-notice'),
      notification('o7', 's7', 'EMAIL', 'DE', at(day1, 9), null, 'other-notice'),
      notification('o9', 's9', 'PUSH', 'FR', at(day2, 9), null, 'other-notice'),
    ]);
    expect(recorded).toMatchObject({ accepted: 10, rejected: 0 });

    const events = await recordEvents(t, keys.NOTIFIER, [
      event('n1', 'SENT', at(day1, 8)),
      event('n1', 'DELIVERED', at(day1, 9)),
      event('n1', 'DELIVERED', at(day1, 9)), // the same report twice in one batch
      event('n1', 'OPENED', at(day2, 7)),
      event('n1', 'ACKNOWLEDGED', at(day2, 7)),
      event('n2', 'SENT', at(day1, 8)),
      event('n2', 'BOUNCED', at(day1, 9)),
      event('n3', 'DELIVERED', at(day2, 11)), // a second delivery report: the milestone exists already
      event('n4', 'DELIVERED', at(day2, 9)),
      event('n4', 'OPENED', at(day2, 10)),
      event('n5', 'SENT', at(day2, 8)),
      event('n5', 'FAILED', at(day2, 9)),
      event('o7', 'DELIVERED', at(day1, 10)), // another notice: no campaign counts it
      event('v8', 'DELIVERED', at(day1, 10)),
    ]);
    expect(events).toMatchObject({ accepted: 13, duplicates: 1, rejected: 0 });
    // A whole batch retried: nothing counts twice.
    expect(
      await recordEvents(t, keys.NOTIFIER, [
        event('n1', 'DELIVERED', at(day1, 9)),
        event('n2', 'BOUNCED', at(day1, 9)),
      ]),
    ).toMatchObject({
      accepted: 0,
      duplicates: 2,
    });
    expect(
      await recordNotifications(t, keys.NOTIFIER, [notification('n1', 's1', 'EMAIL', 'DE', at(day1, 8), id)]),
    ).toMatchObject({ accepted: 0, duplicates: 1 });

    expect(
      await recordResponses(t, keys.NOTIFIER, [
        objection('r1', 's1', at(day2, 12)),
        objection('r1b', 's1', at(day2, 13)), // the same person again: counted once
        objection('r3', 's3', at(day2, 12)),
        objection('r8', 's8', at(day2, 12)), // objected to the version, reached outside the campaign
        objection('r7', 's7', at(day2, 12), 'other-notice'),
      ]),
    ).toMatchObject({ accepted: 5, rejected: 0 });

    for (const role of ['ADMIN', 'AUDITOR', 'NOTIFIER'] as const) {
      expect(await figuresOf(t, keys[role], id)).toEqual({
        total: { ...counts(6, 3, 3, 2, 2, 1), objected: 3 },
        byChannel: [
          { channel: 'EMAIL', totals: counts(3, 3, 1, 2, 1, 1) },
          { channel: 'PUSH', totals: counts(3, 0, 2, 0, 1, 0) },
          { channel: 'SMS', totals: counts(0, 0, 0, 0, 0, 0) },
        ],
        byCountry: [
          { country: 'DE', totals: counts(3, 2, 2, 1, 1, 1) },
          { country: 'FR', totals: counts(2, 1, 1, 1, 1, 0) },
          { country: 'ZZ', totals: counts(1, 0, 0, 0, 0, 0) },
        ],
        byDay: [
          { day: day1, totals: counts(3, 2, 1, 1, 0, 0) },
          { day: day2, totals: counts(3, 1, 2, 1, 2, 1) },
        ],
      });
    }

    // Not yet notified of the campaign's version: s7 and s9 (only the other notice), page by page.
    const expected = await Promise.all(
      ['s7', 's9'].map(
        async (ref) =>
          expectData(await execute(t.app, SubjectId, { key: keys.AUDITOR, variables: { ref } })).subject!.id,
      ),
    );
    expected.sort((a, b) => (rawId(a) < rawId(b) ? -1 : 1));
    const seen: string[] = [];
    let after: string | null = null;
    const { statements } = await t.database.counter.measure(async () => {
      for (let page = 0; page < 5; page++) {
        const connection = expectData(
          await execute(t.app, NotYetNotified, { key: keys.AUDITOR, variables: { id, first: 1, after } }),
        ).campaign!.notYetNotified!;
        seen.push(...connection.edges.map((edge) => edge.node.id));
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
    });
    expect(seen).toEqual(expected);
    expect(
      statements.filter((sql) => /NOT EXISTS/i.test(sql) && /"Notification"/.test(sql)).length,
    ).toBeGreaterThan(0);
  });

  it('reads figures in a number of statements that depends on neither notifications nor campaigns', async () => {
    const { keys } = await tenantWithNotices(t);
    const first = await newCampaign(t, keys.NOTIFIER, campaignInput({ name: 'First' }));
    await recordNotifications(t, keys.NOTIFIER, [
      notification('a1', 'a1', 'EMAIL', 'DE', at(day1, 8), first.id),
      notification('a2', 'a2', 'PUSH', 'FR', at(day2, 8), first.id),
    ]);
    const figureStatements = async () =>
      (
        await t.database.counter.measure(async () =>
          expectData(
            await execute(t.app, CampaignFigures, { key: keys.AUDITOR, variables: { id: first.id } }),
          ),
        )
      ).count;
    await figureStatements(); // the key's first use also records lastUsedAt
    const few = await figureStatements();

    const many = Array.from({ length: 40 }, (_, index) => {
      const day = utcDay(1 + (index % 5));
      return notification(
        `b${index}`,
        `b${index}`,
        index % 2 ? 'EMAIL' : 'SMS',
        index % 3 ? 'IT' : 'ES',
        at(day, 8),
        first.id,
      );
    });
    await recordNotifications(t, keys.NOTIFIER, many);
    await recordEvents(
      t,
      keys.NOTIFIER,
      many.map((item) => event(item.idempotencyKey, 'DELIVERED', at(day2, 12))),
    );
    expect(await figureStatements()).toBe(few);
    expect((await figuresOf(t, keys.AUDITOR, first.id)).total).toMatchObject({ recorded: 42, delivered: 40 });
    expect(few).toBeLessThanOrEqual(4); // key lookup, campaign, counters, objections

    const listStatements = async () =>
      (
        await t.database.counter.measure(async () =>
          expectData(await execute(t.app, CampaignList, { key: keys.AUDITOR, variables: { first: 10 } })),
        )
      ).count;
    const one = await listStatements();
    await newCampaign(t, keys.NOTIFIER, campaignInput({ name: 'Second' }));
    await newCampaign(t, keys.NOTIFIER, campaignInput({ name: 'Third', noticeKey: 'other-notice' }));
    expect(await listStatements()).toBe(one);
    const list = expectData(
      await execute(t.app, CampaignList, { key: keys.NOTIFIER, variables: { first: 10 } }),
    );
    expect(list.campaigns.edges.map((edge) => edge.node.name)).toEqual(['Third', 'Second', 'First']);
  });

  it('shows a campaign to no other controller, whatever the role', async () => {
    const mine = await tenantWithNotices(t);
    const campaign = await newCampaign(t, mine.keys.NOTIFIER, campaignInput({ name: 'Secret drive' }));
    await recordNotifications(t, mine.keys.NOTIFIER, [
      notification('m1', 'm1', 'EMAIL', 'DE', at(day1, 8), campaign.id),
    ]);
    const theirs = await tenantWithNotices(t);
    await newCampaign(t, theirs.keys.ADMIN, campaignInput({ name: 'Their drive' }));

    for (const role of ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const) {
      const key = theirs.keys[role];
      const byId = await execute(t.app, CampaignFigures, { key, variables: { id: campaign.id } });
      expect(byId.body.data?.campaign ?? null).toBeNull();
      const node = await execute(t.app, CampaignNode, { key, variables: { id: campaign.id } });
      expect(node.body.data?.node ?? null).toBeNull();
      const list = await execute(t.app, CampaignList, { key, variables: { first: 50 } });
      const names = list.body.data?.campaigns.edges.map((edge) => edge.node.name) ?? [];
      expect(names).not.toContain('Secret drive');
      for (const response of [byId, node, list])
        expect(JSON.stringify(response.body)).not.toContain('Secret drive');
    }
    const theirList = expectData(
      await execute(t.app, CampaignList, { key: theirs.keys.AUDITOR, variables: { first: 50 } }),
    );
    expect(theirList.campaigns.edges.map((edge) => edge.node.name)).toEqual(['Their drive']);

    // Nor can another controller's notifier record into it.
    const foreign = await recordNotifications(t, theirs.keys.NOTIFIER, [
      notification('x1', 'x1', 'EMAIL', 'DE', at(day1, 8), campaign.id),
    ]);
    expect(foreign.items[0]).toMatchObject({ status: 'REJECTED', error: { code: 'CAMPAIGN_NOT_FOUND' } });
    expect((await figuresOf(t, mine.keys.ADMIN, campaign.id)).total.recorded).toBe(1);
  });

  it('lets ADMIN and NOTIFIER create, ADMIN, AUDITOR and NOTIFIER read, and only ADMIN and AUDITOR list subjects', async () => {
    const { keys } = await tenantWithNotices(t);
    const campaign = await newCampaign(t, keys.ADMIN);
    const denied = async (response: GraphQLResponse<unknown>) => {
      expect(errorCode(response)).toBe('FORBIDDEN');
      expect(JSON.stringify(response.body.data ?? null)).not.toContain('AI training');
    };

    for (const role of ['READER', 'EDITOR'] as const) {
      const key = keys[role];
      await denied(
        await execute(t.app, CreateCampaign, { key, variables: { input: campaignInput({ name: role }) } }),
      );
      await denied(await execute(t.app, CampaignFigures, { key, variables: { id: campaign.id } }));
      await denied(await execute(t.app, CampaignList, { key, variables: { first: 5 } }));
      await denied(await execute(t.app, NotYetNotified, { key, variables: { id: campaign.id, first: 5 } }));
    }
    await denied(
      await execute(t.app, CreateCampaign, {
        key: keys.AUDITOR,
        variables: { input: campaignInput({ name: 'A' }) },
      }),
    );
    await denied(
      await execute(t.app, NotYetNotified, { key: keys.NOTIFIER, variables: { id: campaign.id, first: 5 } }),
    );

    for (const role of ['ADMIN', 'AUDITOR', 'NOTIFIER'] as const) {
      expect((await figuresOf(t, keys[role], campaign.id)).total.recorded).toBe(0);
    }
    for (const role of ['ADMIN', 'AUDITOR'] as const) {
      const page = expectData(
        await execute(t.app, NotYetNotified, { key: keys[role], variables: { id: campaign.id, first: 5 } }),
      );
      expect(page.campaign?.notYetNotified?.edges).toEqual([]);
    }
  });

  it('gives a NOTIFIER its new campaign even when it selects the subject list it may not read', async () => {
    const { keys } = await tenantWithNotices(t);
    const response = await execute(t.app, CreateCampaignSelectingAll, {
      key: keys.NOTIFIER,
      variables: { input: campaignInput({ name: 'Selecting all' }) },
    });
    expect(errorCode(response)).toBe('FORBIDDEN');
    const created = response.body.data?.createCampaign;
    if (created?.__typename !== 'CampaignPayload') throw new Error(JSON.stringify(response.body));
    expect(created.campaign).toMatchObject({ name: 'Selecting all', notYetNotified: null });
  });
});
