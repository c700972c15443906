import { encodeGlobalID } from '@pothos/plugin-relay';
import { z } from 'zod';
import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { consentRecordInputFields, receiptField } from '../consent-record/consent-record-fields.graphql.js';
import type { BulkResult, ItemResult } from './item-result.js';
import { deliveryStatus, type EventType } from './notification.policy.js';
import { channels, eventTypes, maxBatchSize, type responseKinds } from './notification.validation.js';

export const ChannelEnum = builder.enumType('NotificationChannel', {
  description: 'How a person was notified or answered.',
  values: Object.fromEntries(
    channels.map((channel) => [channel, { description: `Channel ${channel}.` }]),
  ) as Record<(typeof channels)[number], { description: string }>,
});

export const EventTypeEnum = builder.enumType('NotificationEventType', {
  description: 'A delivery event reported by a sender.',
  values: Object.fromEntries(
    eventTypes.map((type) => [type, { description: `The notification was ${type.toLowerCase()}.` }]),
  ) as Record<(typeof eventTypes)[number], { description: string }>,
});

export const ResponseKindEnum = builder.enumType('ResponseKind', {
  description: 'What a person answered about a purpose.',
  values: {
    CONSENT_GIVEN: { description: 'Consent given (Art. 6(1)(a), 7).' },
    CONSENT_WITHDRAWN: { description: 'Consent withdrawn (Art. 7(3)).' },
    OBJECTED: { description: 'Objection to processing (Art. 21).' },
    OBJECTION_WITHDRAWN: { description: 'Objection withdrawn.' },
    CONSENT_REFUSED: {
      description:
        'Consent asked for and refused: not consent (Art. 4(11), 7); must name the notice version and locale shown.',
    },
  } satisfies Record<(typeof responseKinds)[number], { description: string }>,
});

const DeliveryStatusEnum = builder.enumType('DeliveryStatus', {
  description: "A notification's status: its latest event by time (RECORDED when it has none yet).",
  values: {
    RECORDED: { description: 'Recorded; no event yet.' },
    ...(Object.fromEntries(
      eventTypes.map((type) => [type, { description: `Latest event: ${type}.` }]),
    ) as Record<(typeof eventTypes)[number], { description: string }>),
  },
});

const ItemStatusEnum = builder.enumType('BulkItemStatus', {
  description: 'What happened to one item of a bulk write.',
  values: {
    ACCEPTED: { description: 'Written now.' },
    DUPLICATE: { description: 'Already recorded with the same content: the original record is returned.' },
    REJECTED: { description: 'Not written; see `error`.' },
  },
});

const ItemErrorRef = builder.objectRef<NonNullable<ItemResult['error']>>('BulkItemError').implement({
  description: 'Why an item was rejected.',
  authScopes: { role: 'any' },
  fields: (t) => ({
    code: t.exposeString('code', {
      description: 'Stable code, e.g. VALIDATION_FAILED, IDEMPOTENCY_CONFLICT, SENT_BEFORE_PUBLICATION.',
    }),
    message: t.exposeString('message', { description: 'Explanation.' }),
    issues: t.field({
      type: ['FieldIssue'] as never,
      description: 'Invalid fields of the item, for VALIDATION_FAILED.',
      resolve: (error) => [...error.issues] as never,
    }),
  }),
});

export function bulkPayload(
  name: string,
  recordType: string,
  description: string,
  options: { receipts?: boolean } = {},
) {
  const ItemRef = builder.objectRef<ItemResult>(`${name}Item`).implement({
    description: `The outcome of one item, in input order.`,
    authScopes: { role: 'any' },
    fields: (t) => ({
      index: t.exposeInt('index', { description: 'Position of the item in the input.' }),
      idempotencyKey: t.exposeString('idempotencyKey', { nullable: true, description: 'The item’s key.' }),
      status: t.expose('status', { type: ItemStatusEnum, description: 'ACCEPTED, DUPLICATE or REJECTED.' }),
      recordId: t.id({
        nullable: true,
        description: `Global ID of the ${recordType} written or found.`,
        resolve: (item) => (item.recordId ? encodeGlobalID(recordType, item.recordId) : null),
      }),
      error: t.field({
        type: ItemErrorRef,
        nullable: true,
        description: 'Why it was rejected.',
        resolve: (item) => item.error,
      }),
      ...(options.receipts ? receiptField(t) : {}),
    }),
  });
  return builder.objectRef<BulkResult>(name).implement({
    description,
    fields: (t) => ({
      batchId: t.exposeID('batchId', {
        nullable: true,
        description:
          'ID of the notification batch record (recordNotifications, when anything was written); null otherwise.',
      }),
      accepted: t.exposeInt('accepted', { description: 'Items written now.' }),
      duplicates: t.exposeInt('duplicates', { description: 'Items already recorded with the same content.' }),
      rejected: t.exposeInt('rejected', { description: 'Items not written.' }),
      items: t.field({
        type: [ItemRef],
        description: 'Per-item outcome, in input order.',
        resolve: (result) => [...result.items],
      }),
    }),
  });
}

const batchSchema = z.object({
  items: z
    .array(z.unknown())
    .min(1, 'give at least one item')
    .max(maxBatchSize, `at most ${maxBatchSize} items per call`),
});

const TemplateRefInput = builder.inputType('MessageTemplateRefInput', {
  description:
    "The message template revision a notification was sent with. Its channel and locale are the notification's.",
  fields: (t) => ({
    key: t.string({ description: 'The template key.' }),
    revision: t.int({ description: 'The revision used (see publishMessageTemplate).' }),
  }),
});

const NotificationItemInput = builder.inputType('NotificationInput', {
  description: 'One notification to record. Checked on its own: a bad item does not stop the others.',
  fields: (t) => ({
    subjectRef: t.string({
      description: "The controller's own user reference (≤ 256 chars); stored only as a keyed hash.",
    }),
    jurisdiction: t.string({
      required: false,
      description: 'ISO 3166-1 alpha-2 country of the subject, e.g. DE.',
    }),
    subjectLocale: t.string({ required: false, description: "The subject's locale, if known." }),
    noticeKey: t.string({ description: 'The notice.' }),
    versionNumber: t.int({ description: 'The published version number.' }),
    channel: t.field({ type: ChannelEnum, description: 'How the person was notified.' }),
    locale: t.string({ description: 'Locale shown; must exist in that version.' }),
    occurredAt: t.field({
      type: 'DateTime',
      description:
        'When it was sent or shown (≤ 5 min ahead; not before the version was published, less the clock-skew tolerance).',
    }),
    campaignId: t.id({ required: false, description: 'Global ID of the campaign, if any.' }),
    senderMessageId: t.string({ required: false, description: "The sender's message ID." }),
    idempotencyKey: t.string({ description: 'Client-chosen key, unique per controller; retries reuse it.' }),
    template: t.field({
      type: TemplateRefInput,
      required: false,
      description:
        'The message template revision sent, if any: it must exist for this channel and locale and be published before occurredAt (less the clock-skew tolerance). Its content hash joins the record’s contentHash.',
    }),
  }),
});

const RecordNotificationsInput = builder.inputType('RecordNotificationsInput', {
  description: 'Up to 10,000 notifications.',
  fields: (t) => ({ items: t.field({ type: [NotificationItemInput], description: 'The notifications.' }) }),
  validate: batchSchema,
});

const EventItemInput = builder.inputType('NotificationEventInput', {
  description: 'One delivery event. Name the notification by ID or by its idempotency key.',
  fields: (t) => ({
    notificationId: t.id({ required: false, description: 'Global ID of the notification.' }),
    notificationIdempotencyKey: t.string({
      required: false,
      description: "The notification's idempotency key (the event may arrive before the notification).",
    }),
    type: t.field({ type: EventTypeEnum, description: 'What happened.' }),
    occurredAt: t.field({
      type: 'DateTime',
      description:
        'When it happened (≤ 5 min ahead; not before its notification’s version was published, less the clock-skew tolerance).',
    }),
    detail: t.string({ required: false, description: 'Free detail from the sender (e.g. bounce reason).' }),
  }),
});

const RecordEventsInput = builder.inputType('RecordNotificationEventsInput', {
  description: 'Up to 10,000 delivery events.',
  fields: (t) => ({ items: t.field({ type: [EventItemInput], description: 'The events.' }) }),
  validate: batchSchema,
});

const ObjectionDetailsInput = builder.inputType('ObjectionDetailsInput', {
  description: 'What a person said with an objection (Art. 21).',
  fields: (t) => ({
    grounds: t.string({
      required: false,
      description: 'Grounds relating to the person’s particular situation (Art. 21(1)), as given.',
    }),
    directMarketing: t.boolean({
      required: false,
      description:
        'The objection is against direct marketing (Art. 21(2)): absolute, it can never be refused.',
    }),
  }),
});

const ResponseItemInput = builder.inputType('ResponseInput', {
  description: 'What a subject answered about one purpose.',
  fields: (t) => ({
    subjectRef: t.string({ description: "The controller's own user reference." }),
    purposeKey: t.string({ description: 'The purpose answered about.' }),
    kind: t.field({ type: ResponseKindEnum, description: 'The answer.' }),
    occurredAt: t.field({ type: 'DateTime', description: 'When it was given.' }),
    channel: t.field({ type: ChannelEnum, description: 'Where it was given.' }),
    noticeKey: t.string({ required: false, description: 'The notice answered (with versionNumber).' }),
    versionNumber: t.int({ required: false, description: 'The version answered.' }),
    idempotencyKey: t.string({ description: 'Client-chosen key, unique per controller.' }),
    ...consentRecordInputFields(t),
    objection: t.field({
      type: ObjectionDetailsInput,
      required: false,
      description:
        'OBJECTED only: what the person said with the objection; it opens a case (docs/objections.md).',
    }),
  }),
});

const RecordResponsesInput = builder.inputType('RecordResponsesInput', {
  description: 'Up to 10,000 responses.',
  fields: (t) => ({
    items: t.field({ type: [ResponseItemInput], description: 'The responses.' }),
    receipts: t.boolean({
      required: false,
      description:
        'Return a signed receipt (compact JWS, EdDSA) for each accepted or duplicate item, to hand to the person (docs/consent-records.md).',
    }),
  }),
  validate: batchSchema.extend({ receipts: z.boolean().nullish() }),
});

export const RecordNotificationsPayload = bulkPayload(
  'RecordNotificationsPayload',
  'Notification',
  'Outcome of recordNotifications: the accepted items were committed together.',
);
const RecordEventsPayload = bulkPayload(
  'RecordNotificationEventsPayload',
  'NotificationEvent',
  'Outcome of recordNotificationEvents.',
);
const RecordResponsesPayload = bulkPayload(
  'RecordResponsesPayload',
  'Response',
  'Outcome of recordResponses.',
  { receipts: true },
);

export const NotificationEventRef = builder.prismaNode('NotificationEvent', {
  nullable: true,
  description: 'A delivery event. Append-only.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (event, context) => ownsRecord(context.viewer, event) && { role: 'viewRecords' },
  fields: (t) => ({
    type: t.expose('type', { type: EventTypeEnum, description: 'What happened.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it happened.' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime', description: 'When Notarium recorded it.' }),
    detail: t.exposeString('detail', { nullable: true, description: 'Detail from the sender.' }),
  }),
});

export const NotificationRef = builder.prismaNode('Notification', {
  nullable: true,
  description:
    'The fact that a subject was (or was attempted to be) notified of a notice version. Append-only.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (notification, context) => ownsRecord(context.viewer, notification) && { role: 'viewRecords' },
  fields: (t) => ({
    subject: t.relation('subject', { description: 'Who was notified.' }),
    version: t.relation('version', { description: 'Of which notice version.' }),
    channel: t.expose('channel', { type: ChannelEnum, description: 'Through which channel.' }),
    locale: t.exposeString('locale', { description: 'Locale shown.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it was sent or shown.' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime', description: 'When Notarium recorded it.' }),
    campaign: t.relation('campaign', {
      nullable: true,
      description: 'The campaign, if any.',
      authScopes: { role: 'readRecords' },
    }),
    senderMessageId: t.exposeString('senderMessageId', {
      nullable: true,
      description: "The sender's message ID.",
    }),
    idempotencyKey: t.exposeString('idempotencyKey', { description: 'The client-chosen key.' }),
    contentHash: t.exposeString('contentHash', { description: 'SHA-256 over what the record says.' }),
    batchId: t.exposeID('batchId', { description: 'The batch it was recorded in.' }),
    events: t.field({
      type: [NotificationEventRef],
      description: 'Delivery events, oldest first (by when they happened, not when they arrived).',
      resolve: (notification, _args, context) =>
        context.services.notification.eventsFor(notification.idempotencyKey),
    }),
    status: t.field({
      type: DeliveryStatusEnum,
      description: 'Latest event by time; RECORDED when none.',
      resolve: async (notification, _args, context) =>
        deliveryStatus(
          (await context.services.notification.eventsFor(notification.idempotencyKey)) as {
            type: EventType;
            occurredAt: Date;
          }[],
        ),
    }),
  }),
});

builder.mutationFields((t) => ({
  recordNotifications: t.field({
    type: RecordNotificationsPayload,
    description:
      'Records up to 10,000 notifications; each item accepted or rejected on its own. NOTIFIER or ADMIN.',
    authScopes: { role: 'recordNotifications' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RecordNotificationsInput, description: 'The notifications.' }) },
    resolve: (_root, { input }, context) => context.services.notification.recordNotifications(input.items),
  }),
  recordNotificationEvents: t.field({
    type: RecordEventsPayload,
    description: 'Records up to 10,000 delivery events; idempotent. NOTIFIER or ADMIN.',
    authScopes: { role: 'recordNotifications' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RecordEventsInput, description: 'The events.' }) },
    resolve: (_root, { input }, context) => context.services.notification.recordEvents(input.items),
  }),
  recordResponses: t.field({
    type: RecordResponsesPayload,
    description:
      'Records up to 10,000 responses (consent, objection…); idempotent, append-only. NOTIFIER or ADMIN.',
    authScopes: { role: 'recordNotifications' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RecordResponsesInput, description: 'The responses.' }) },
    resolve: (_root, { input }, context) =>
      context.services.notification.recordResponses(input.items, input.receipts === true),
  }),
}));
