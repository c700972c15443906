import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { ChannelEnum, RecordNotificationsPayload } from './notification.graphql.js';
import { columnsSchema } from './notification-columns.js';

const RecordNotificationColumnsInput = builder.inputType('RecordNotificationColumnsInput', {
  description:
    'Up to 10,000 notifications of one notice version, as columns: entry i of every list is row i. ' +
    'Each row is checked and recorded exactly as an item of recordNotifications.',
  fields: (t) => ({
    noticeKey: t.string({ description: 'The notice every row is a notification of.' }),
    versionNumber: t.int({ description: 'Its published version number.' }),
    campaignId: t.id({ required: false, description: 'Global ID of the campaign of every row, if any.' }),
    subjectRefs: t.stringList({
      description: "Per row: the controller's own user reference (≤ 256 chars); stored only as a keyed hash.",
    }),
    idempotencyKeys: t.stringList({ description: 'Per row: client-chosen key, unique per controller.' }),
    channels: t.field({ type: [ChannelEnum], description: 'Per row: how the person was notified.' }),
    locales: t.stringList({ description: 'Per row: locale shown; must exist in the version.' }),
    occurredAt: t.field({
      type: ['DateTime'],
      description:
        'Per row: when it was sent or shown (≤ 5 min ahead; not before the version was published, less the clock-skew tolerance).',
    }),
    jurisdictions: t.field({
      type: t.listRef('String', { required: false }),
      required: false,
      description: 'Per row, optional: ISO 3166-1 alpha-2 country of the subject (null when unknown).',
    }),
    subjectLocales: t.field({
      type: t.listRef('String', { required: false }),
      required: false,
      description: "Per row, optional: the subject's locale (null when unknown).",
    }),
    senderMessageIds: t.field({
      type: t.listRef('String', { required: false }),
      required: false,
      description: "Per row, optional: the sender's message ID (null when none).",
    }),
    templateKeys: t.field({
      type: t.listRef('String', { required: false }),
      required: false,
      description:
        'Per row, optional: the key of the message template sent (null when none); give templateRevisions with it.',
    }),
    templateRevisions: t.field({
      type: t.listRef('Int', { required: false }),
      required: false,
      description: 'Per row, optional: the revision of that template (null when none).',
    }),
  }),
  validate: columnsSchema,
});

builder.mutationFields((t) => ({
  recordNotificationColumns: t.field({
    type: RecordNotificationsPayload,
    description:
      'Records up to 10,000 notifications of one version given as columns (the bulk form of ' +
      'recordNotifications, same per-row results and idempotency). NOTIFIER or ADMIN.',
    authScopes: { role: 'recordNotifications' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RecordNotificationColumnsInput, description: 'The notifications.' }) },
    resolve: (_root, { input }, context) => context.services.notification.recordNotificationColumns(input),
  }),
}));
