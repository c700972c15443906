import type { GraphQLResolveInfo } from 'graphql';
import { NotFoundError } from '../../domain/errors.js';
import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { inForceOrder, inForceWhere, upcomingOrder, upcomingWhere } from './in-force.policy.js';
import { type NoticeEvents, noticeTopic } from './notice.events.js';
import type { VersionFind, WithServedText } from './notice.service.js';
import { createNoticeSchema } from './notice.validation.js';
import { selectsServedText, servedIn } from './notice-version.graphql.js';
import { VersionDiffRef } from './version-diff.graphql.js';

const NoticeStatusEnum = builder.enumType('NoticeStatus', {
  description: 'Whether a notice still gets new versions.',
  values: {
    ACTIVE: { description: 'In use.' },
    ARCHIVED: { description: 'No new versions; history stays readable.' },
  },
});

const publishedWhere = { number: { not: null } } as const;

/** The one version in force at `at` (src/modules/notice/in-force.policy.ts). */
function inForce(at: Date): VersionFind {
  return { where: inForceWhere(at), orderBy: inForceOrder };
}

/** Read the version with its served text when the field selects `text` (ADR 0025). */
function withText(locale: string | null | undefined, info: GraphQLResolveInfo): WithServedText | undefined {
  return selectsServedText(info) ? { requestedLocale: locale ?? null } : undefined;
}

const localeArg = { type: 'Locale', required: false, description: 'Preferred locale for `text`.' } as const;

export const NoticeRef = builder.prismaNode('Notice', {
  nullable: true,
  description: 'A notice (e.g. privacy-policy) whose content lives in numbered versions.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (notice, context) => ownsRecord(context.viewer, notice) && { role: 'readNotices' },
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Stable key, unique per controller.' }),
    title: t.exposeString('title', { description: 'Internal title of the notice.' }),
    defaultLocale: t.expose('defaultLocale', {
      type: 'Locale',
      description: 'Served when no better locale exists.',
    }),
    requiredLocales: t.field({
      type: ['Locale'],
      description: 'Locales every published version must carry (includes the default).',
      resolve: (notice) => notice.requiredLocales,
    }),
    status: t.field({
      type: NoticeStatusEnum,
      description: 'ACTIVE or ARCHIVED.',
      resolve: (notice) => (notice.archivedAt ? 'ARCHIVED' : 'ACTIVE'),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    archivedAt: t.expose('archivedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was archived.',
    }),
    currentVersion: t.prismaField({
      type: 'NoticeVersion',
      nullable: true,
      description: 'The version in force now; `text` on it serves `locale` (exact → language → default).',
      args: { locale: t.arg(localeArg) },
      resolve: async (query, notice, args, context, info) =>
        servedIn(
          args.locale,
          await context.services.notice.versionOf(
            notice.id,
            inForce(context.services.notice.now),
            query,
            withText(args.locale, info),
          ),
        ),
    }),
    versionAt: t.prismaField({
      type: 'NoticeVersion',
      nullable: true,
      description: 'The version in force at an instant; null if none was.',
      args: {
        at: t.arg({ type: 'DateTime', description: 'The instant.' }),
        locale: t.arg(localeArg),
      },
      resolve: async (query, notice, args, context, info) =>
        servedIn(
          args.locale,
          await context.services.notice.versionOf(
            notice.id,
            inForce(args.at),
            query,
            withText(args.locale, info),
          ),
        ),
    }),
    upcomingVersion: t.prismaField({
      type: 'NoticeVersion',
      nullable: true,
      description: 'A published version that takes effect later (the soonest), for "changes coming" banners.',
      args: { locale: t.arg(localeArg) },
      resolve: async (query, notice, args, context, info) =>
        servedIn(
          args.locale,
          await context.services.notice.versionOf(
            notice.id,
            {
              where: upcomingWhere(context.services.notice.now),
              orderBy: upcomingOrder,
            },
            query,
            withText(args.locale, info),
          ),
        ),
    }),
    version: t.prismaField({
      type: 'NoticeVersion',
      nullable: true,
      description: 'A published or retired version by number.',
      args: {
        number: t.arg.int({ description: 'Version number.' }),
        locale: t.arg(localeArg),
      },
      resolve: async (query, notice, args, context, info) =>
        servedIn(
          args.locale,
          await context.services.notice.versionOf(
            notice.id,
            { where: { number: args.number } },
            query,
            withText(args.locale, info),
          ),
        ),
    }),
    versions: t.relatedConnection('versions', {
      cursor: 'id',
      description: 'Published and retired versions, newest first.',
      query: { where: publishedWhere, orderBy: { number: 'desc' } },
    }),
    drafts: t.relatedConnection('versions', {
      cursor: 'id',
      description: 'Drafts, newest first. ADMIN, EDITOR or AUDITOR.',
      authScopes: { role: 'editOrAudit' },
      query: { where: { status: 'DRAFT' }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] },
    }),
    diff: t.field({
      type: VersionDiffRef,
      description: 'Compares two versions by number: purposes, fields, text per locale, classification.',
      errors: { types: [NotFoundError] },
      args: {
        from: t.arg.int({ description: 'The older version number.' }),
        to: t.arg.int({ description: 'The newer version number.' }),
      },
      resolve: (notice, args, context) => context.services.noticeVersion.diff(notice.id, args.from, args.to),
    }),
  }),
});

const NoticeStatusFilter = builder.enumType('NoticeStatusFilter', {
  description: 'Which notices to list.',
  values: { ACTIVE: { description: 'Not archived.' }, ARCHIVED: { description: 'Archived.' } },
});

const CreateNoticeInput = builder.inputType('CreateNoticeInput', {
  description: 'A new notice (versions are added as drafts).',
  fields: (t) => ({
    key: t.string({ description: 'Stable key, unique per controller, e.g. "privacy-policy".' }),
    title: t.string({ description: 'Internal title.' }),
    defaultLocale: t.field({ type: 'Locale', description: 'Served when no better locale exists.' }),
    requiredLocales: t.field({
      type: ['Locale'],
      required: false,
      description: 'Locales every published version must carry.',
    }),
  }),
  validate: createNoticeSchema,
});

const NoticeKeyInput = builder.inputType('ArchiveNoticeInput', {
  description: 'The notice to archive.',
  fields: (t) => ({ key: t.string({ description: 'Its key.' }) }),
});

const NoticePayload = builder.objectRef<{ key: string }>('NoticePayload').implement({
  description: 'The notice after the change.',
  fields: (t) => ({
    notice: t.prismaField({
      type: 'Notice',
      description: 'The notice.',
      resolve: async (query, payload, _args, context) =>
        (await context.services.notice.byKey(payload.key, query))!,
    }),
  }),
});

builder.queryFields((t) => ({
  notice: t.prismaField({
    type: 'Notice',
    nullable: true,
    description: 'A notice by key; null when there is none.',
    authScopes: { role: 'readNotices' },
    args: { key: t.arg.string({ description: 'The notice key.' }) },
    resolve: (query, _root, args, context) => context.services.notice.byKey(args.key, query),
  }),
  notices: t.prismaConnection({
    type: 'Notice',
    cursor: 'id',
    description: "The controller's notices, by key.",
    authScopes: { role: 'readNotices' },
    args: {
      status: t.arg({
        type: NoticeStatusFilter,
        required: false,
        description: 'ACTIVE or ARCHIVED; both if omitted.',
      }),
      purposeKey: t.arg.string({
        required: false,
        description: 'Only notices with a version covering this purpose.',
      }),
      search: t.arg.string({ required: false, description: 'Case-insensitive text in the title.' }),
    },
    resolve: (query, _root, args, context) => context.services.notice.list(args, query),
  }),
}));

builder.mutationFields((t) => ({
  createNotice: t.field({
    type: NoticePayload,
    description: 'Creates a notice. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: CreateNoticeInput, description: 'The notice.' }) },
    resolve: async (_root, { input }, context) => context.services.notice.create(input),
  }),
  archiveNotice: t.field({
    type: NoticePayload,
    description: 'Archives a notice; idempotent. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: NoticeKeyInput, description: 'The notice.' }) },
    resolve: async (_root, { input }, context) => context.services.notice.archive(input.key),
  }),
}));

builder.subscriptionFields((t) => ({
  noticeVersionPublished: t.prismaField({
    type: 'NoticeVersion',
    description:
      "Emits each version of the notice as it is published (Server-Sent Events). The caller's controller only.",
    authScopes: { role: 'readNotices' },
    args: { noticeKey: t.arg.string({ description: 'The notice to watch.' }) },
    subscribe: (_root, args, context) =>
      context.services.events.subscribe(
        'noticeVersionPublished',
        noticeTopic(context.viewer.controllerId, args.noticeKey),
      ),
    resolve: async (query, payload: NoticeEvents['noticeVersionPublished'][1], _args, context) =>
      (await context.services.noticeVersion.byId(payload.versionId, query))!,
  }),
}));
