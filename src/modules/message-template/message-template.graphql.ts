import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { ChannelEnum } from '../notification/notification.graphql.js';
import type { PublishedTemplate } from './message-template.service.js';
import {
  maxBodyLength,
  maxLinkLength,
  maxSubjectLength,
  publishTemplateSchema,
} from './message-template.validation.js';
import { templateCanonicalForm } from './template-hash.js';

export const MessageTemplateRef = builder.prismaNode('MessageTemplate', {
  nullable: true,
  description:
    'One revision of the message a channel sends in one locale: subject line, body, link. Never changes; its content hash is documented in docs/message-templates.md.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (template, context) => ownsRecord(context.viewer, template) && { role: 'viewNotices' },
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The template key, e.g. "notice-change".' }),
    channel: t.expose('channel', {
      type: ChannelEnum,
      description: 'The channel the message is sent through.',
    }),
    locale: t.expose('locale', { type: 'Locale', description: 'The locale of the text.' }),
    revision: t.exposeInt('revision', { description: '1, 2, 3… per key, channel and locale.' }),
    subject: t.exposeString('subject', {
      nullable: true,
      description: 'The subject line (e-mail subject, push or in-app title); null when the message has none.',
    }),
    body: t.exposeString('body', {
      description: 'The text, exactly as published (before any personalisation).',
    }),
    linkTarget: t.exposeString('linkTarget', {
      nullable: true,
      description: 'Where the message links to: an https URL or a path on the controller’s site.',
    }),
    contentHash: t.exposeString('contentHash', {
      description: 'sha256:<hex> over the canonical form (docs/message-templates.md).',
    }),
    canonicalForm: t.string({
      description: 'The exact canonical text the content hash is computed over.',
      resolve: (template) => templateCanonicalForm(template),
    }),
    publishedAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When this revision was published.',
    }),
    publishedBy: t.exposeString('createdByKeyId', {
      nullable: true,
      description: 'ID of the API key that published it.',
    }),
  }),
});

builder.prismaObjectFields('Notification', (t) => ({
  message: t.field({
    type: MessageTemplateRef,
    nullable: true,
    description:
      'The exact template revision the message was sent with, when the sender named one; its content hash is part of this record’s contentHash.',
    select: { templateId: true },
    resolve: (notification, _args, context) =>
      notification.templateId ? context.services.messageTemplate.byId(notification.templateId) : null,
  }),
}));

const PublishMessageTemplateInput = builder.inputType('PublishMessageTemplateInput', {
  description:
    'A template revision. Publishing the same content as the latest revision returns that revision; other content becomes the next revision.',
  fields: (t) => ({
    key: t.string({ description: 'Template key: 1-64 lowercase letters, digits, ".", "_" or "-".' }),
    channel: t.field({ type: ChannelEnum, description: 'The channel it is sent through.' }),
    locale: t.field({ type: 'Locale', description: 'The locale of the text.' }),
    subject: t.string({
      required: false,
      description: `Subject line (≤ ${maxSubjectLength} chars, one line): required for EMAIL, refused for SMS, optional otherwise.`,
    }),
    body: t.string({
      description: `The text (≤ ${maxBodyLength.toLocaleString('en')} chars), stored exactly as sent.`,
    }),
    linkTarget: t.string({
      required: false,
      description: `Where the message links to (≤ ${maxLinkLength} chars): an https URL or a path starting with a single /.`,
    }),
  }),
  validate: publishTemplateSchema,
});

const PublishMessageTemplatePayload = builder
  .objectRef<PublishedTemplate>('PublishMessageTemplatePayload')
  .implement({
    description: 'The revision published, or the latest one when it already said the same.',
    fields: (t) => ({
      messageTemplate: t.field({
        type: MessageTemplateRef,
        description: 'The revision.',
        resolve: (payload) => payload.template,
      }),
      created: t.exposeBoolean('created', {
        description:
          'True when a new revision was published; false when the latest one already said the same.',
      }),
    }),
  });

builder.queryFields((t) => ({
  messageTemplate: t.prismaField({
    type: 'MessageTemplate',
    nullable: true,
    description: 'A template revision; the latest when `revision` is left out; null when there is none.',
    authScopes: { role: 'readNotices' },
    args: {
      key: t.arg.string({ description: 'The template key.' }),
      channel: t.arg({ type: ChannelEnum, description: 'The channel.' }),
      locale: t.arg({ type: 'Locale', description: 'The locale.' }),
      revision: t.arg.int({ required: false, description: 'The revision; the latest when left out.' }),
    },
    resolve: (query, _root, args, context) => context.services.messageTemplate.find(args, query),
  }),
  messageTemplates: t.prismaConnection({
    type: 'MessageTemplate',
    cursor: 'id',
    description:
      "The controller's template revisions, by key, channel and locale, newest revision first; optionally of one key, channel or locale.",
    authScopes: { role: 'readNotices' },
    args: {
      key: t.arg.string({ required: false, description: 'Only this template key.' }),
      channel: t.arg({ type: ChannelEnum, required: false, description: 'Only this channel.' }),
      locale: t.arg({ type: 'Locale', required: false, description: 'Only this locale.' }),
    },
    resolve: (query, _root, args, context) => context.services.messageTemplate.list(args, query),
  }),
}));

builder.mutationFields((t) => ({
  publishMessageTemplate: t.field({
    type: PublishMessageTemplatePayload,
    description:
      'Publishes the next revision of a message template (or returns the latest when it says the same). ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: PublishMessageTemplateInput, description: 'The template revision.' }) },
    resolve: (_root, { input }, context) => context.services.messageTemplate.publish(input),
  }),
}));
