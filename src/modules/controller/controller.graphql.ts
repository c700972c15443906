import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { nilUuid } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { ChannelEnum, EventTypeEnum } from '../notification/notification.graphql.js';
import { updateControllerSchema } from './controller.validation.js';
import { type ChannelReachEvidence, effectiveReachEvidence } from './reach-evidence.js';

export const RoleEnum = builder.enumType('Role', {
  description: 'What an API key may do.',
  values: {
    ADMIN: { description: 'Everything of its controller, including keys and settings.' },
    EDITOR: { description: 'Purposes, notices and versions.' },
    NOTIFIER: { description: 'Record notifications, delivery events and responses.' },
    READER: { description: 'Read notices and purposes: what a frontend needs.' },
    AUDITOR: { description: 'Read everything of its controller.' },
    REGULATOR: { description: 'Read-only access limited to one regulator request, until it expires.' },
  },
});

const ChannelReachEvidenceRef = builder.objectRef<ChannelReachEvidence>('ChannelReachEvidence').implement({
  description:
    'For one channel, the delivery events that show a notification reached the person (docs/notifications.md, "What counts as reaching a person").',
  authScopes: { role: 'any' },
  fields: (t) => ({
    channel: t.expose('channel', { type: ChannelEnum, description: 'The channel.' }),
    eventTypes: t.field({
      type: [EventTypeEnum],
      description: 'The event types that count, in enum order; any one of them is enough.',
      resolve: (rule) => [...rule.eventTypes],
    }),
    custom: t.exposeBoolean('custom', {
      description: "Whether the controller set this channel's rule; false: the default.",
    }),
  }),
});

export const ControllerRef = builder.prismaNode('Controller', {
  nullable: true,
  description: 'The organisation responsible for the processing (the data controller): the tenant.',
  id: { field: 'id' },
  findUnique: (id, context) => ({ id: context.viewer.controllerId === id ? id : nilUuid }),
  authScopes: (controller, context) => ownsRecord(context.viewer, { controllerId: controller.id }),
  fields: (t) => ({
    slug: t.exposeString('slug', { description: 'Stable short name, unique across the registry.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    legalName: t.exposeString('legalName', { description: 'Registered legal name.' }),
    contactEmail: t.exposeString('contactEmail', { description: 'Contact for privacy matters.' }),
    dpoContact: t.exposeString('dpoContact', {
      nullable: true,
      description: 'Data protection officer contact (GDPR Art. 37), if appointed.',
    }),
    euRepresentative: t.exposeString('euRepresentative', {
      nullable: true,
      description: 'Representative in the EU (GDPR Art. 27), if required.',
    }),
    minimumNoticeDays: t.exposeInt('minimumNoticeDays', {
      description: 'Days between publishing a version that needs re-notification and its effective date.',
    }),
    clockSkewToleranceSeconds: t.exposeInt('clockSkewToleranceSeconds', {
      description:
        'How many seconds a notification or delivery event may be dated before its version was published (clock skew between systems); earlier ones are refused with SENT_BEFORE_PUBLICATION.',
    }),
    publicNoticePages: t.exposeBoolean('publicNoticePages', {
      description:
        "Whether anyone may read the published versions of this controller's notices, without a key, at /public/<slug>/notices/<key> (docs/public-pages.md). Off by default.",
    }),
    objectionDecisionDays: t.exposeInt('objectionDecisionDays', {
      description:
        'Days within which an objection (Art. 21) should be decided; open cases older than this are overdue. Default 30 (Art. 12(3): one month).',
    }),
    proofRetentionMonths: t.exposeInt('proofRetentionMonths', {
      nullable: true,
      description:
        "Months after a person's last processing that their proof records are kept; then the retention schedule purges them (docs/retention.md). Null: kept for ever (the default).",
    }),
    reachEvidence: t.field({
      type: [ChannelReachEvidenceRef],
      description:
        "Per channel, in enum order, the delivery events that count as reaching a person: the controller's setting over the defaults. Proofs, eligibility and the campaign follow-up list use it.",
      resolve: (controller) => effectiveReachEvidence(controller.reachEvidence),
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the controller was registered.',
    }),
  }),
});

const ReachEvidenceInput = builder.inputType('ReachEvidenceInput', {
  description: "A change to one channel's reach evidence.",
  fields: (t) => ({
    channel: t.field({ type: ChannelEnum, description: 'The channel.' }),
    eventTypes: t.field({
      type: [EventTypeEnum],
      required: false,
      description:
        'The event types that count as reaching the person on this channel: at least one, no repeats, never SENT, BOUNCED or FAILED. Null or omitted: back to the default.',
    }),
  }),
});

const UpdateControllerSettingsInput = builder.inputType('UpdateControllerSettingsInput', {
  description:
    'Fields to change; omitted fields stay as they are, null clears an optional contact or the retention schedule.',
  fields: (t) => ({
    name: t.string({ required: false, description: 'Display name.' }),
    legalName: t.string({ required: false, description: 'Registered legal name.' }),
    contactEmail: t.string({ required: false, description: 'Contact e-mail for privacy matters.' }),
    dpoContact: t.string({ required: false, description: 'Data protection officer contact.' }),
    euRepresentative: t.string({ required: false, description: 'EU representative.' }),
    minimumNoticeDays: t.int({ required: false, description: 'Minimum notice period in days (0–365).' }),
    clockSkewToleranceSeconds: t.int({
      required: false,
      description:
        'Clock-skew tolerance in seconds (0–86,400) for notifications and events dated before publication; applies to later calls.',
    }),
    publicNoticePages: t.boolean({
      required: false,
      description:
        'Turns the public notice pages on (true) or off (false): published versions only, never drafts (docs/public-pages.md).',
    }),
    objectionDecisionDays: t.int({
      required: false,
      description: 'Deadline for deciding an objection, in days (1–90); applies to the figures from now on.',
    }),
    proofRetentionMonths: t.int({
      required: false,
      description:
        "Months (1–1,200; e.g. 72 = six years) after a person's last processing that their proof records are kept before the retention schedule purges them (docs/retention.md). Null: kept for ever.",
    }),
    reachEvidence: t.field({
      type: [ReachEvidenceInput],
      required: false,
      description:
        'Reach evidence per channel named (each channel once); channels not named keep their rule. Applies to every later proof, eligibility answer and follow-up list, including those about notifications recorded before.',
    }),
  }),
  validate: updateControllerSchema,
});

const UpdateControllerSettingsPayload = builder
  .objectRef<{ controller: { id: string } }>('UpdateControllerSettingsPayload')
  .implement({
    description: 'The controller after the change.',
    fields: (t) => ({
      controller: t.prismaField({
        type: 'Controller',
        description: 'The updated controller.',
        resolve: (query, _payload, _args, context) => context.services.controller.current(query),
      }),
    }),
  });

builder.mutationFields((t) => ({
  updateControllerSettings: t.field({
    type: UpdateControllerSettingsPayload,
    description: "Changes the caller's controller settings. ADMIN only.",
    authScopes: { role: 'manageController' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: UpdateControllerSettingsInput, description: 'The settings to change.' }) },
    resolve: async (_root, { input }, context) => ({
      controller: await context.services.controller.update(input),
    }),
  }),
}));
