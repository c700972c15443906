import { resolveCursorConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { defaultPageSize, maxPageSize } from '../../graphql/limits.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { isUuid, tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { ChannelEnum, NotificationRef } from '../notification/notification.graphql.js';
import { SubjectRef } from '../subject/subject.graphql.js';
import type { CampaignCounts, CampaignFigures, CampaignTotals } from './campaign.service.js';
import { createCampaignSchema } from './campaign.validation.js';
import type { NotReachedEntry, NotReachedNotification } from './not-reached.js';
import type { NotReachedReason } from './not-reached.policy.js';

/** ADMIN and AUDITOR read all records; NOTIFIER (recordNotifications) follows the campaigns it feeds. */
const readCampaigns = { $any: { role: 'readRecords', $all: { role: 'recordNotifications' } } } as const;

const countFields = {
  recorded: 'Notifications recorded (one per notification, not per person), on the day they were sent.',
  sent: 'Notifications with a SENT event, on the day of their first one.',
  delivered: 'Notifications with a DELIVERED event, on the day of their first one.',
  bouncedOrFailed:
    'Notifications with a BOUNCED or a FAILED event, each on the day of its first one (one that did both counts twice).',
  opened: 'Notifications with an OPENED event, on the day of their first one.',
  acknowledged: 'Notifications with an ACKNOWLEDGED event, on the day of their first one.',
} as const satisfies Record<keyof CampaignCounts, string>;

const CampaignCountsRef = builder.objectRef<CampaignCounts>('CampaignCounts').implement({
  description:
    'Campaign counters for one channel, country or day. Each delivery event type counts once per notification (its first occurrence), however often senders report it.',
  authScopes: readCampaigns,
  fields: (t) => ({
    recorded: t.exposeInt('recorded', { description: countFields.recorded }),
    sent: t.exposeInt('sent', { description: countFields.sent }),
    delivered: t.exposeInt('delivered', { description: countFields.delivered }),
    bouncedOrFailed: t.exposeInt('bouncedOrFailed', { description: countFields.bouncedOrFailed }),
    opened: t.exposeInt('opened', { description: countFields.opened }),
    acknowledged: t.exposeInt('acknowledged', { description: countFields.acknowledged }),
  }),
});

const CampaignTotalsRef = builder.objectRef<CampaignTotals>('CampaignTotals').implement({
  description: 'Campaign counters over all channels, countries and days, and the objections to its version.',
  authScopes: readCampaigns,
  fields: (t) => ({
    recorded: t.exposeInt('recorded', { description: countFields.recorded }),
    sent: t.exposeInt('sent', { description: countFields.sent }),
    delivered: t.exposeInt('delivered', { description: countFields.delivered }),
    bouncedOrFailed: t.exposeInt('bouncedOrFailed', { description: countFields.bouncedOrFailed }),
    opened: t.exposeInt('opened', { description: countFields.opened }),
    acknowledged: t.exposeInt('acknowledged', { description: countFields.acknowledged }),
    objected: t.exposeInt('objected', {
      description:
        "Distinct subjects who objected (Art. 21) in answer to the campaign's notice version, whether or not this campaign reached them: objections name a version, not a campaign. A later withdrawal does not remove one. Not broken down by channel, country or day.",
    }),
  }),
});

const ChannelFiguresRef = builder
  .objectRef<CampaignFigures['byChannel'][number]>('CampaignChannelFigures')
  .implement({
    description: 'Campaign counters for one channel.',
    authScopes: readCampaigns,
    fields: (t) => ({
      channel: t.expose('channel', { type: ChannelEnum, description: 'The channel of the notifications.' }),
      totals: t.field({
        type: CampaignCountsRef,
        description: 'The counters.',
        resolve: (row) => row.totals,
      }),
    }),
  });

const CountryFiguresRef = builder
  .objectRef<CampaignFigures['byCountry'][number]>('CampaignCountryFigures')
  .implement({
    description: 'Campaign counters for one country.',
    authScopes: readCampaigns,
    fields: (t) => ({
      country: t.exposeString('country', {
        description: 'ISO 3166-1 alpha-2 jurisdiction given with the notification; ZZ when none was given.',
      }),
      totals: t.field({
        type: CampaignCountsRef,
        description: 'The counters.',
        resolve: (row) => row.totals,
      }),
    }),
  });

const DayFiguresRef = builder.objectRef<CampaignFigures['byDay'][number]>('CampaignDayFigures').implement({
  description: 'Campaign counters for one UTC day.',
  authScopes: readCampaigns,
  fields: (t) => ({
    day: t.exposeString('day', {
      description:
        'The UTC date, YYYY-MM-DD: when notifications were sent (recorded) or their first event of a type happened (the rest).',
    }),
    totals: t.field({ type: CampaignCountsRef, description: 'The counters.', resolve: (row) => row.totals }),
  }),
});

const CampaignFiguresRef = builder.objectRef<CampaignFigures>('CampaignFigures').implement({
  description:
    'Live progress and outcome of a campaign, from counters kept in the same transaction as the records they count.',
  authScopes: readCampaigns,
  fields: (t) => ({
    total: t.field({
      type: CampaignTotalsRef,
      description: 'Over the whole campaign.',
      resolve: (f) => f.total,
    }),
    byChannel: t.field({
      type: [ChannelFiguresRef],
      description:
        'Per channel: every planned channel (zeros included) and any other one used, in enum order.',
      resolve: (figures) => [...figures.byChannel],
    }),
    byCountry: t.field({
      type: [CountryFiguresRef],
      description: 'Per country with any count, by country code.',
      resolve: (figures) => [...figures.byCountry],
    }),
    byDay: t.field({
      type: [DayFiguresRef],
      description: 'Per UTC day with any count, oldest first.',
      resolve: (figures) => [...figures.byDay],
    }),
  }),
});

const NotReachedReasonEnum = builder.enumType('NotReachedReason', {
  description:
    'Why a notification did not reach the person (docs/campaigns.md, "The follow-up list"), by the first that applies.',
  values: {
    BOUNCED: { description: 'It bounced.' },
    FAILED: { description: 'Sending it failed.' },
    NEVER_DISPLAYED: {
      description:
        'In-app, banner or push: nothing shows it was ever on the screen (no DISPLAYED, OPENED, DISMISSED or ACKNOWLEDGED).',
    },
    NO_DELIVERY_EVENT: { description: 'Recorded, perhaps SENT, and nothing since.' },
    EVIDENCE_NOT_COUNTED: {
      description:
        "It has delivery events, but none of a type the controller's reach evidence counts for its channel.",
    },
  } satisfies Record<NotReachedReason, { description: string }>,
});

const NotReachedNotificationRef = builder
  .objectRef<NotReachedNotification>('NotReachedNotification')
  .implement({
    description: 'A notification of the campaign that did not reach the person, and why.',
    authScopes: { role: 'readRecords' },
    fields: (t) => ({
      notification: t.field({
        type: NotificationRef,
        description: 'The notification.',
        resolve: (item) => item.notification,
      }),
      reason: t.expose('reason', { type: NotReachedReasonEnum, description: 'Why it did not reach them.' }),
    }),
  });

const CampaignNotReachedRef = builder.objectRef<NotReachedEntry>('CampaignNotReached').implement({
  description:
    "A person the campaign notified whom no notification of its version reached, under the controller's reach evidence.",
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    subject: t.field({ type: SubjectRef, description: 'The person.', resolve: (entry) => entry.subject }),
    reason: t.field({
      type: NotReachedReasonEnum,
      description: "Why the campaign's latest notification to them did not reach them.",
      resolve: (entry) => entry.notifications[0]!.reason,
    }),
    notifications: t.field({
      type: [NotReachedNotificationRef],
      description: "The campaign's notifications to them, latest first, each with its reason.",
      resolve: (entry) => [...entry.notifications],
    }),
  }),
});

/** A cursor of the follow-up list is a subject ID; anything else is the caller's mistake. */
function subjectCursor(cursor: string | null | undefined): string | undefined {
  if (cursor == null) return undefined;
  if (!isUuid(cursor))
    throw new GraphQLError('The cursor is not one of this list.', { extensions: { code: 'BAD_USER_INPUT' } });
  return cursor;
}

export const CampaignRef = builder.prismaNode('Campaign', {
  nullable: true,
  description: 'One notification drive for one notice version to an audience, with live figures.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (campaign, context) => ownsRecord(context.viewer, campaign) && readCampaigns,
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name, unique per controller.' }),
    version: t.relation('version', { description: 'The notice version the campaign notifies of.' }),
    channels: t.field({
      type: [ChannelEnum],
      description: 'The channels planned, in enum order.',
      resolve: (campaign) => campaign.channels,
    }),
    audienceDescription: t.exposeString('audienceDescription', { description: 'Who the campaign is for.' }),
    plannedSize: t.exposeInt('plannedSize', { description: 'How many people the campaign plans to reach.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    figures: t.field({
      type: CampaignFiguresRef,
      description:
        'Live figures: totals, and by channel, country and day. Two SQL statements for any number of campaigns.',
      resolve: (campaign, _args, context) => context.services.campaign.figures(campaign),
    }),
    notYetNotified: t.prismaConnection({
      type: 'Subject',
      cursor: 'id',
      description:
        "The controller's subjects with no notification of the campaign's version (through this campaign or any other way), by ID. ADMIN or AUDITOR; null for a NOTIFIER, who may create the campaign but not list people.",
      nullable: true,
      authScopes: { role: 'readRecords' },
      resolve: (query, campaign, _args, context) => context.services.campaign.notYetNotified(campaign, query),
    }),
    notReached: t.connection({
      type: CampaignNotReachedRef,
      description:
        "The follow-up list: people this campaign notified whom no notification of its version (through it, another campaign or none) reached under the controller's reach evidence, with why; erased people are left out. By subject ID; three SQL statements a page. ADMIN or AUDITOR; null for a NOTIFIER.",
      nullable: true,
      authScopes: { role: 'readRecords' },
      resolve: (campaign, args, context) => {
        const after = subjectCursor(args.after);
        const before = subjectCursor(args.before);
        return resolveCursorConnection<Promise<readonly NotReachedEntry[] | null>>(
          {
            args,
            defaultSize: defaultPageSize,
            maxSize: maxPageSize,
            toCursor: (entry: NotReachedEntry) => entry.subject.id,
          },
          (page) => context.services.campaign.notReached(campaign, { ...page, after, before }),
        );
      },
    }),
  }),
});

const CreateCampaignInput = builder.inputType('CreateCampaignInput', {
  description: 'A new campaign. Sending it again with the same name and content returns the same campaign.',
  fields: (t) => ({
    name: t.string({ description: 'Name, unique per controller (≤ 200 chars).' }),
    noticeKey: t.string({ description: 'The notice.' }),
    versionNumber: t.int({ description: 'The published version number the campaign notifies of.' }),
    channels: t.field({ type: [ChannelEnum], description: 'Channels planned; at least one, no repeats.' }),
    audienceDescription: t.string({ description: 'Who the campaign is for (≤ 2,000 chars).' }),
    plannedSize: t.int({ description: 'How many people it plans to reach (≥ 1).' }),
  }),
  validate: createCampaignSchema,
});

const CampaignPayload = builder.objectRef<{ id: string }>('CampaignPayload').implement({
  description: 'The campaign created (or found, on a retry).',
  fields: (t) => ({
    campaign: t.prismaField({
      type: 'Campaign',
      description: 'The campaign.',
      resolve: async (query, payload, _args, context) =>
        (await context.services.campaign.byId(payload.id, query))!,
    }),
  }),
});

builder.queryFields((t) => ({
  campaign: t.prismaField({
    type: 'Campaign',
    nullable: true,
    description: 'A campaign by global ID; null when there is none. ADMIN, AUDITOR or NOTIFIER.',
    authScopes: readCampaigns,
    args: { id: t.arg.id({ description: 'Its global ID.' }) },
    resolve: (query, _root, args, context) => {
      const id = decodeGlobalIdOf('Campaign', args.id);
      return id === null ? null : context.services.campaign.byId(id, query);
    },
  }),
  campaigns: t.prismaConnection({
    type: 'Campaign',
    cursor: 'id',
    description: "The controller's campaigns, newest first. ADMIN, AUDITOR or NOTIFIER.",
    authScopes: readCampaigns,
    resolve: (query, _root, _args, context) => context.services.campaign.list(query),
  }),
}));

builder.mutationFields((t) => ({
  createCampaign: t.field({
    type: CampaignPayload,
    description:
      'Creates a campaign for a published notice version; retry-safe by name. Errors: NOT_FOUND (no such published version), CONFLICT (the name is taken with other content). ADMIN or NOTIFIER.',
    authScopes: { role: 'recordNotifications' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: CreateCampaignInput, description: 'The campaign.' }) },
    resolve: (_root, { input }, context) => context.services.campaign.create(input),
  }),
}));
