import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NotReachedReason } from '../../../src/modules/campaign/not-reached.policy.js';
import type { EventType } from '../../../src/modules/notification/notification.policy.js';
import type { Channel } from '../../../src/modules/notification/reach.policy.js';
import type { NotificationEventInput, NotificationInput } from '../../graphql/graphql.js';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData, rawId } from '../../support/client.js';
import { makeTenant } from '../../support/factories.js';
import { publishedNoticeAsOf } from '../../support/notice-fixtures.js';
import { recordWithEvents } from '../../support/record-with-events.js';
import { useTestApp } from '../../support/test-app.js';

interface FollowUpRow {
  readonly row: string;
  readonly channel: Channel;
  readonly events: EventType[];
  /** null: the notification reached the person, who is not listed. */
  readonly reason: NotReachedReason | null;
}

/** The decision table of docs/campaigns.md: `| F1 | \`CHANNEL\` | events | \`REASON\` or (reached: not listed) | article |`. */
function followUpTable(): FollowUpRow[] {
  const markdown = readFileSync(new URL('../../../docs/campaigns.md', import.meta.url), 'utf8');
  const row = /^\| (F\d+) \| `([A-Z_]+)` \| ([^|]+) \| (?:`([A-Z_]+)`|\(reached: not listed\)) \| .+ \|$/;
  return markdown
    .split('\n')
    .filter((line) => /^\| F\d+ \|/.test(line))
    .map((line) => {
      const match = row.exec(line);
      if (!match) throw new Error(`not a decision-table row: ${line}`);
      const [, id, channel, events, reason] = match;
      return {
        row: id!,
        channel: channel as Channel,
        events: [...events!.matchAll(/`([A-Z_]+)`/g)].map((found) => found[1] as EventType),
        reason: (reason ?? null) as NotReachedReason | null,
      };
    });
}

const CreateCampaign = graphql(`
  mutation FollowUpCreateCampaign($input: CreateCampaignInput!) {
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

const FollowUp = graphql(`
  query FollowUp($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    campaign(id: $id) {
      notReached(first: $first, after: $after, last: $last, before: $before) {
        edges {
          cursor
          node {
            subject {
              id
            }
            reason
            notifications {
              reason
              notification {
                idempotencyKey
                channel
              }
            }
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          endCursor
        }
      }
    }
  }
`);

const SubjectIds = graphql(`
  query FollowUpSubjectId($ref: String!) {
    subject(ref: $ref) {
      id
    }
  }
`);

const Erase = graphql(`
  mutation FollowUpErase($ref: String!) {
    eraseSubject(input: { subjectRef: $ref }) {
      __typename
    }
  }
`);

const SetReachEvidence = graphql(`
  mutation FollowUpReachEvidence($input: UpdateControllerSettingsInput!) {
    updateControllerSettings(input: $input) {
      __typename
    }
  }
`);

const dayMs = 24 * 60 * 60 * 1000;
const published = new Date(Date.now() - 6 * dayMs);
/** `hours` after publication: every record is after it and in the past. */
const at = (hours: number) => new Date(published.getTime() + hours * 3_600_000).toISOString();

const t = useTestApp();
const table = followUpTable();

describe('the campaign follow-up list (notReached)', () => {
  let keys: Awaited<ReturnType<typeof makeTenant>>['keys'];
  let campaignId: string;
  let otherCampaignId: string;
  const subjectIds = new Map<string, string>();

  const notification = (
    key: string,
    subjectRef: string,
    channel: Channel,
    hours: number,
    campaign: string | null,
  ): NotificationInput => ({
    idempotencyKey: key,
    subjectRef,
    channel,
    campaignId: campaign,
    noticeKey: 'follow-up',
    versionNumber: 1,
    locale: 'en',
    occurredAt: at(hours),
  });
  const events = (key: string, types: readonly EventType[], hours: number): NotificationEventInput[] =>
    types.map((type, index) => ({
      notificationIdempotencyKey: key,
      type,
      occurredAt: at(hours + (index + 1) / 60),
    }));

  const record = (items: NotificationInput[], eventItems: NotificationEventInput[]) =>
    recordWithEvents(t.app, keys.NOTIFIER, items, eventItems);

  async function campaign(name: string) {
    const created = expectData(
      await execute(t.app, CreateCampaign, {
        key: keys.NOTIFIER,
        variables: {
          input: {
            name,
            noticeKey: 'follow-up',
            versionNumber: 1,
            channels: ['EMAIL', 'IN_APP', 'PUSH', 'SMS', 'POSTAL', 'WEB_BANNER'],
            audienceDescription: 'Everyone',
            plannedSize: 100,
          },
        },
      }),
    ).createCampaign;
    if (created.__typename !== 'CampaignPayload') throw new Error(created.__typename);
    return created.campaign.id;
  }

  async function listPage(key: string, id: string, first: number, cursor: string | null) {
    return expectData(await execute(t.app, FollowUp, { key, variables: { id, first, after: cursor } }))
      .campaign!.notReached!;
  }

  /** The whole list, read page by page (`first` at a time): entries by subject ID, in list order. */
  async function followUp(key = keys.AUDITOR, first = 3, id = campaignId) {
    const entries: { subjectId: string; reason: string; notifications: { reason: string; key: string }[] }[] =
      [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const connection = await listPage(key, id, first, cursor);
      for (const { node } of connection.edges)
        entries.push({
          subjectId: node.subject.id,
          reason: node.reason,
          notifications: node.notifications.map((item) => ({
            reason: item.reason,
            key: item.notification.idempotencyKey,
          })),
        });
      if (!connection.pageInfo.hasNextPage) break;
      cursor = connection.pageInfo.endCursor;
    }
    return entries;
  }

  async function subjectId(ref: string) {
    const id = expectData(await execute(t.app, SubjectIds, { key: keys.AUDITOR, variables: { ref } })).subject
      ?.id;
    if (!id) throw new Error(`no subject ${ref}`);
    subjectIds.set(ref, id);
    return id;
  }

  beforeAll(async () => {
    ({ keys } = await makeTenant(t.database.prisma));
    await publishedNoticeAsOf(t.app, t.database, keys.EDITOR, 'follow-up', published);
    campaignId = await campaign('Follow-up drive');
    otherCampaignId = await campaign('Another drive');

    // One person per decision-table row, notified once by the campaign.
    await record(
      table.map((row) => notification(row.row, `row-${row.row}`, row.channel, 1, campaignId)),
      table.flatMap((row) => events(row.row, row.events, 1)),
    );
    await record(
      [
        // Bounced by e-mail, but the in-app notice (no campaign) was displayed: reached.
        notification('elsewhere-mail', 'elsewhere', 'EMAIL', 2, campaignId),
        notification('elsewhere-app', 'elsewhere', 'IN_APP', 3, null),
        // Twice by the campaign: in-app never shown, then an e-mail that bounced.
        notification('twice-app', 'twice', 'IN_APP', 2, campaignId),
        notification('twice-mail', 'twice', 'EMAIL', 5, campaignId),
        // Only another campaign, or no campaign, notified these two.
        notification('other-mail', 'other-campaign', 'EMAIL', 2, otherCampaignId),
        notification('none-mail', 'no-campaign', 'EMAIL', 2, null),
        // Bounced, then erased.
        notification('erased-mail', 'erased', 'EMAIL', 2, campaignId),
      ],
      [
        ...events('elsewhere-mail', ['SENT', 'BOUNCED'], 2),
        ...events('elsewhere-app', ['DISPLAYED'], 3),
        ...events('twice-mail', ['SENT', 'BOUNCED'], 5),
        ...events('other-mail', ['BOUNCED'], 2),
        ...events('erased-mail', ['BOUNCED'], 2),
      ],
    );
    for (const ref of [
      ...table.map((row) => `row-${row.row}`),
      'elsewhere',
      'twice',
      'other-campaign',
      'no-campaign',
    ])
      await subjectId(ref);
    expect(
      expectData(await execute(t.app, Erase, { key: keys.ADMIN, variables: { ref: 'erased' } })).eraseSubject
        .__typename,
    ).toBe('EraseSubjectPayload');
  });

  it.each(table)('$row: a $channel notification with $events is $reason', async (row) => {
    const entry = (await followUp()).find((item) => item.subjectId === subjectIds.get(`row-${row.row}`));
    if (row.reason === null) expect(entry).toBeUndefined();
    else
      expect(entry).toEqual({
        subjectId: subjectIds.get(`row-${row.row}`),
        reason: row.reason,
        notifications: [{ reason: row.reason, key: row.row }],
      });
  });

  it('lists only people the campaign notified and nothing of the version reached, by subject ID, none erased', async () => {
    const list = await followUp();
    const ids = list.map((entry) => entry.subjectId);
    const listedRows = table
      .filter((row) => row.reason !== null)
      .map((row) => subjectIds.get(`row-${row.row}`));
    expect(ids.sort()).toEqual([...listedRows, subjectIds.get('twice')].sort());
    // The order is by (raw) subject ID: the same as sorting the global IDs' UUIDs.
    const inOrder = list.map((entry) => rawId(entry.subjectId));
    expect(inOrder).toEqual([...inOrder].sort());
    // The latest campaign notification gives the reason; every one is listed with its own.
    expect(list.find((entry) => entry.subjectId === subjectIds.get('twice'))).toMatchObject({
      reason: 'BOUNCED',
      notifications: [
        { key: 'twice-mail', reason: 'BOUNCED' },
        { key: 'twice-app', reason: 'NEVER_DISPLAYED' },
      ],
    });
    for (const absent of ['elsewhere', 'other-campaign', 'no-campaign'])
      expect(ids).not.toContain(subjectIds.get(absent));
    // The other campaign's list has its own person.
    expect(await followUp(keys.AUDITOR, 3, otherCampaignId)).toEqual([
      {
        subjectId: subjectIds.get('other-campaign'),
        reason: 'BOUNCED',
        notifications: [{ key: 'other-mail', reason: 'BOUNCED' }],
      },
    ]);
  });

  it('pages both ways in a fixed number of SQL statements whatever the page size', async () => {
    const all = await followUp(keys.AUDITOR, 100);
    expect(await followUp(keys.AUDITOR, 1)).toEqual(all);
    const page = async (variables: { first?: number; last?: number; after?: string; before?: string }) =>
      t.database.counter.measure(
        async () =>
          expectData(
            await execute(t.app, FollowUp, {
              key: keys.AUDITOR,
              variables: { id: campaignId, ...variables },
            }),
          ).campaign!.notReached!,
      );
    await page({ first: 1 }); // the key's first use in a while may also record lastUsedAt
    const one = await page({ first: 1 });
    const many = await page({ first: 100 });
    expect(many.count).toBe(one.count);
    // Key, campaign, the controller's reach evidence, then the page: list, subjects, notifications.
    expect(one.count).toBe(6);
    expect(one.statements.filter((sql) => /"NotificationMilestone"/.test(sql))).toHaveLength(1);

    const last = await page({ last: 2, before: many.result.edges[3]!.cursor });
    expect(last.result.edges.map((edge) => edge.node.subject.id)).toEqual(
      many.result.edges.slice(1, 3).map((edge) => edge.node.subject.id),
    );
    expect(last.result.pageInfo.hasPreviousPage).toBe(true);

    const bad = await execute(t.app, FollowUp, {
      key: keys.AUDITOR,
      variables: { id: campaignId, first: 2, after: 'not-a-cursor' },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });

  it('follows the controller reach evidence as it is when the list is read', async () => {
    const set = async (reachEvidence: { channel: Channel; eventTypes: EventType[] | null }[]) =>
      expect(
        expectData(
          await execute(t.app, SetReachEvidence, {
            key: keys.ADMIN,
            variables: { input: { reachEvidence } },
          }),
        ).updateControllerSettings.__typename,
      ).toBe('UpdateControllerSettingsPayload');
    const delivered = table.find((row) => row.reason === null && row.channel === 'EMAIL')!;
    await set([{ channel: 'EMAIL', eventTypes: ['ACKNOWLEDGED'] }]);
    try {
      expect(
        (await followUp()).find((entry) => entry.subjectId === subjectIds.get(`row-${delivered.row}`)),
      ).toMatchObject({ reason: 'EVIDENCE_NOT_COUNTED' });
    } finally {
      await set([{ channel: 'EMAIL', eventTypes: null }]);
    }
    expect((await followUp()).map((entry) => entry.subjectId)).not.toContain(
      subjectIds.get(`row-${delivered.row}`),
    );
  });

  it('is for ADMIN and AUDITOR only: null and FORBIDDEN for a NOTIFIER, denied to READER and EDITOR', async () => {
    expect((await followUp(keys.ADMIN)).length).toBeGreaterThan(0);
    const notifier = await execute(t.app, FollowUp, {
      key: keys.NOTIFIER,
      variables: { id: campaignId, first: 5 },
    });
    expect(errorCode(notifier)).toBe('FORBIDDEN');
    expect(notifier.body.data?.campaign?.notReached ?? null).toBeNull();
    for (const role of ['READER', 'EDITOR'] as const) {
      const denied = await execute(t.app, FollowUp, {
        key: keys[role],
        variables: { id: campaignId, first: 5 },
      });
      expect(errorCode(denied)).toBe('FORBIDDEN');
      expect(JSON.stringify(denied.body.data ?? null)).not.toContain('Subject');
    }
    const stranger = await makeTenant(t.database.prisma);
    const foreign = await execute(t.app, FollowUp, {
      key: stranger.keys.AUDITOR,
      variables: { id: campaignId, first: 5 },
    });
    expect(foreign.body.data?.campaign ?? null).toBeNull();
  });
});
