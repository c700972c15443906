import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emitChange } from '../../../src/modules/change-feed/change-feed.emit.js';
import type { ChangeEventType, NotificationInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import {
  createDraft,
  inDays,
  publish,
  publishedNotice,
  publishedNoticeAsOf,
  revisePurpose,
} from '../../support/notice-fixtures.js';
import { type TestContext, useTestApp } from '../../support/test-app.js';

const ChangeEvents = graphql(`
  query ChangeEvents($first: Int, $after: String, $types: [ChangeEventType!]) {
    changeEvents(first: $first, after: $after, types: $types) {
      edges {
        cursor
        node {
          id
          sequence
          type
          occurredAt
          resourceType
          resourceId
          data
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const ChangeEventNode = graphql(`
  query ChangeEventNode($id: ID!) {
    node(id: $id) {
      __typename
      ... on ChangeEvent {
        sequence
      }
    }
  }
`);

const Retire = graphql(`
  mutation FeedRetire($input: NoticeVersionIdInput!) {
    retireNoticeVersion(input: $input) {
      __typename
    }
  }
`);

const OpenRequest = graphql(`
  mutation FeedOpenRequest($input: OpenRegulatorRequestInput!) {
    openRegulatorRequest(input: $input) {
      __typename
      ... on RegulatorRequestPayload {
        request {
          id
        }
      }
    }
  }
`);

const CreateCampaign = graphql(`
  mutation FeedCreateCampaign($input: CreateCampaignInput!) {
    createCampaign(input: $input) {
      __typename
      ... on CampaignPayload {
        campaign {
          id
        }
      }
    }
  }
`);

const RecordNotifications = graphql(`
  mutation FeedRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ... on RecordNotificationsPayload {
        accepted
        duplicates
      }
    }
  }
`);

const RecordEvents = graphql(`
  mutation FeedRecordEvents($input: RecordNotificationEventsInput!) {
    recordNotificationEvents(input: $input) {
      __typename
      ... on RecordNotificationEventsPayload {
        accepted
      }
    }
  }
`);

async function feed(
  t: TestContext,
  key: string,
  variables: { first?: number; after?: string | null; types?: ChangeEventType[] } = {},
) {
  return expectData(await execute(t.app, ChangeEvents, { key, variables: { first: 50, ...variables } }))
    .changeEvents;
}

async function allEvents(t: TestContext, key: string, types?: ChangeEventType[]) {
  return (await feed(t, key, { types })).edges.map((edge) => edge.node);
}

describe('the change feed', () => {
  const t = useTestApp();

  it('lists publish, revise, retire and regulator-request events in commit order, numbered without gaps', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const first = await publishedNotice(t.app, keys.EDITOR, 'feed-notice', 'feed-purpose');
    await revisePurpose(t.app, 'feed-purpose', keys.EDITOR, { retentionPeriodDays: 400 });
    const retired = expectData(
      await execute(t.app, Retire, { key: keys.EDITOR, variables: { input: { id: first.id } } }),
    ).retireNoticeVersion;
    expect(retired.__typename).toBe('NoticeVersionPayload');
    const opened = expectData(
      await execute(t.app, OpenRequest, {
        key: keys.AUDITOR,
        variables: { input: { authority: 'CNIL', reference: 'FEED-1', noticeKeys: ['feed-notice'] } },
      }),
    ).openRegulatorRequest;
    if (opened.__typename !== 'RegulatorRequestPayload') throw new Error(opened.__typename);

    const events = await allEvents(t, keys.AUDITOR);
    expect(events.map((event) => [event.sequence, event.type])).toEqual([
      [1, 'NOTICE_VERSION_PUBLISHED'],
      [2, 'PURPOSE_REVISED'],
      [3, 'NOTICE_VERSION_RETIRED'],
      [4, 'REGULATOR_REQUEST_OPENED'],
    ]);
    expect(events[0]).toMatchObject({
      resourceType: 'NoticeVersion',
      resourceId: first.id,
      data: {
        noticeKey: 'feed-notice',
        number: 1,
        contentHash: first.contentHash,
        classification: first.classification,
      },
    });
    expect(events[1]!.data).toMatchObject({ purposeKey: 'feed-purpose', revision: 2 });
    expect(events[2]!.data).toMatchObject({ noticeKey: 'feed-notice', number: 1 });
    expect(events[3]).toMatchObject({
      resourceId: opened.request.id,
      data: { authority: 'CNIL', reference: 'FEED-1' },
    });

    const only = await allEvents(t, keys.AUDITOR, ['PURPOSE_REVISED', 'REGULATOR_REQUEST_OPENED']);
    expect(only.map((event) => event.sequence)).toEqual([2, 4]);
  });

  it('replays from any cursor: paging on from a page’s end returns exactly what came after it', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'page-notice', 'page-purpose');
    for (const days of [400, 410, 420]) {
      await revisePurpose(t.app, 'page-purpose', keys.EDITOR, { retentionPeriodDays: days });
    }
    const page1 = await feed(t, keys.ADMIN, { first: 2 });
    expect(page1.edges.map((edge) => edge.node.sequence)).toEqual([1, 2]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await feed(t, keys.ADMIN, { first: 2, after: page1.pageInfo.endCursor });
    expect(page2.edges.map((edge) => edge.node.sequence)).toEqual([3, 4]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    // At the end: nothing new yet; after the next change, exactly that change.
    const caughtUp = await feed(t, keys.ADMIN, { after: page2.pageInfo.endCursor });
    expect(caughtUp.edges).toEqual([]);
    await revisePurpose(t.app, 'page-purpose', keys.EDITOR, { retentionPeriodDays: 430 });
    const next = await feed(t, keys.ADMIN, { after: page2.pageInfo.endCursor });
    expect(next.edges.map((edge) => edge.node.sequence)).toEqual([5]);
    // Replaying from an earlier cursor gives the same events again.
    const replay = await feed(t, keys.ADMIN, { after: page1.edges[0]!.cursor });
    expect(replay.edges.map((edge) => edge.node.sequence)).toEqual([2, 3, 4, 5]);
  });

  it('writes nothing when the change fails: the event is part of the change’s transaction', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'tx-notice', 'tx-purpose');
    await revisePurpose(t.app, 'tx-purpose', keys.EDITOR, { recipients: ['ad partners'] });
    // A RENOTIFY/RECONSENT version effective tomorrow breaks the 28-day lead time: refused.
    const draft = await createDraft(t.app, keys.EDITOR, {
      noticeKey: 'tx-notice',
      purposeKeys: ['tx-purpose'],
      effectiveFrom: inDays(1),
    });
    await expect(publish(t.app, keys.EDITOR, draft)).rejects.toThrow(/NoticeLeadTimeError/);
    expect((await allEvents(t, keys.ADMIN)).map((event) => event.type)).toEqual([
      'NOTICE_VERSION_PUBLISHED',
      'PURPOSE_REVISED',
    ]);
  });

  it('announces each campaign milestone once, however many batches cross it and however often they are retried', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNoticeAsOf(
      t.app,
      t.database,
      keys.EDITOR,
      'ms-notice',
      new Date(Date.now() - 3 * 86_400_000),
    );
    const created = expectData(
      await execute(t.app, CreateCampaign, {
        key: keys.NOTIFIER,
        variables: {
          input: {
            name: 'milestones',
            noticeKey: 'ms-notice',
            versionNumber: 1,
            channels: ['EMAIL'],
            audienceDescription: 'four people',
            plannedSize: 4,
          },
        },
      }),
    ).createCampaign;
    if (created.__typename !== 'CampaignPayload') throw new Error(created.__typename);
    const campaignId = created.campaign.id;
    const item = (n: number): NotificationInput => ({
      idempotencyKey: `ms-${n}`,
      subjectRef: `person-${n}`,
      channel: 'EMAIL',
      occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
      campaignId,
      noticeKey: 'ms-notice',
      versionNumber: 1,
      locale: 'en',
    });
    const record = async (items: NotificationInput[]) =>
      expectData(
        await execute(t.app, RecordNotifications, { key: keys.NOTIFIER, variables: { input: { items } } }),
      ).recordNotifications;
    await record([item(1), item(2)]);
    await record([item(1), item(2)]); // a retry: duplicates, no new milestone
    await record([item(3), item(4)]);
    const delivered = (n: number) => ({
      notificationIdempotencyKey: `ms-${n}`,
      type: 'DELIVERED' as const,
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expectData(
      await execute(t.app, RecordEvents, {
        key: keys.NOTIFIER,
        variables: { input: { items: [delivered(1)] } },
      }),
    );
    const milestones = await allEvents(t, keys.ADMIN, ['CAMPAIGN_MILESTONE_REACHED']);
    const facts = milestones.map((event) => event.data as { metric: string; percent: number; count: number });
    expect(facts.map((data) => [data.metric, data.percent, data.count])).toEqual([
      ['RECORDED', 25, 2],
      ['RECORDED', 50, 2],
      ['RECORDED', 75, 4],
      ['RECORDED', 100, 4],
      ['DELIVERED', 25, 1],
    ]);
    expect(milestones.every((event) => event.resourceId === campaignId)).toBe(true);
    expect(milestones[0]!.data).toMatchObject({ campaignName: 'milestones', plannedSize: 4 });
  });

  it('numbers concurrent writers in commit order: a reader polling meanwhile never sees a gap', async () => {
    const { controller } = await makeTenant(t.database.prisma);
    const writers = 12;
    let finished = false;
    const writing = Promise.all(
      Array.from({ length: writers }, (_, index) =>
        t.database.prisma.$transaction((tx) =>
          emitChange(tx, {
            controllerId: controller.id,
            type: 'purpose.revised',
            resourceType: 'Purpose',
            resourceId: randomUUID(),
            data: { index },
          }),
        ),
      ),
    ).then((sequences) => {
      finished = true;
      return sequences;
    });
    const sequencesSeen = async () =>
      (
        await t.database.prisma.changeEvent.findMany({
          where: { controllerId: controller.id },
          orderBy: { sequence: 'asc' },
          select: { sequence: true },
        })
      ).map((event) => event.sequence);
    const prefix = (length: number) => Array.from({ length }, (_, index) => index + 1);
    const reads: number[][] = [];
    while (!finished) reads.push(await sequencesSeen());
    const assigned = await writing;
    expect([...assigned].sort((a, b) => a! - b!)).toEqual(prefix(writers));
    expect(await sequencesSeen()).toEqual(prefix(writers));
    for (const read of reads) expect(read).toEqual(prefix(read.length));
  });

  it('reads a page in a constant number of statements', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'count-notice', 'count-purpose');
    const counts: number[] = [];
    await feed(t, keys.AUDITOR); // the key's first use also records its lastUsedAt
    for (const days of [500, 510, 520]) {
      await revisePurpose(t.app, 'count-purpose', keys.EDITOR, { retentionPeriodDays: days });
      const { count } = await t.database.counter.measure(() => feed(t, keys.AUDITOR));
      counts.push(count);
    }
    expect(new Set(counts).size).toBe(1);
  });

  it('keeps tenants apart: another controller sees none of the events, not even by ID', async () => {
    const a = await makeTenant(t.database.prisma);
    const b = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, a.keys.EDITOR, 'iso-notice', 'iso-purpose');
    const [event] = await allEvents(t, a.keys.AUDITOR);
    expect(event).toBeDefined();
    expect(await allEvents(t, b.keys.AUDITOR)).toEqual([]);
    const node = expectData(
      await execute(t.app, ChangeEventNode, { key: b.keys.ADMIN, variables: { id: event!.id } }),
    );
    expect(node.node).toBeNull();
    const own = expectData(
      await execute(t.app, ChangeEventNode, { key: a.keys.ADMIN, variables: { id: event!.id } }),
    );
    expect(own.node).toEqual({ __typename: 'ChangeEvent', sequence: 1 });
    // A's cursor used by B pages through B's (empty) feed only.
    const page = await feed(t, a.keys.AUDITOR);
    const across = await feed(t, b.keys.AUDITOR, { after: page.edges[0]!.cursor });
    expect(across.edges).toEqual([]);
  });

  it('is for ADMIN and AUDITOR keys only', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    for (const role of ['EDITOR', 'NOTIFIER', 'READER'] as const) {
      const response = await execute(t.app, ChangeEvents, { key: keys[role], variables: {} });
      expect(response.body.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
  });

  it('is refused by the database when changed: the feed is append-only', async () => {
    const { keys, controller } = await makeTenant(t.database.prisma);
    await publishedNotice(t.app, keys.EDITOR, 'ro-notice', 'ro-purpose');
    await expect(
      t.database.sql(`UPDATE "ChangeEvent" SET "type" = 'x' WHERE "controllerId" = $1`, [controller.id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.database.sql(`DELETE FROM "ChangeEvent" WHERE "controllerId" = $1`, [controller.id]),
    ).rejects.toThrow(/append-only/);
    expect(rawId((await allEvents(t, keys.ADMIN))[0]!.id)).toBeTruthy();
  });
});
