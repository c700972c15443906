import { type GraphQLResolveInfo, Kind, type SelectionNode } from 'graphql';
import { builder } from '../../graphql/builder.js';
import { commonErrors, ErrorInterface } from '../../graphql/errors.graphql.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { PurposeRevisionRef } from '../purpose/purpose.graphql.js';
import {
  NoticeArchivedError,
  NoticeLeadTimeError,
  NoticeVersionIncompleteError,
  NoticeVersionNotDraftError,
  UnknownPurposesError,
} from './notice.errors.js';
import { createDraftSchema, publishSchema, updateDraftSchema } from './notice.validation.js';
import type { ServedText } from './notice-version.service.js';
import { ChangeClassEnum, ClassificationReasonRef, WordingSignOffRef } from './version-diff.graphql.js';
import type { WordingSignOff } from './version-diff.js';

builder.objectType(NoticeVersionIncompleteError, {
  name: 'NoticeVersionIncompleteError',
  description: 'The version lacks required locales or has locales without text.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    missingLocales: t.exposeStringList('missingLocales', {
      description: 'Required locales with no translation.',
    }),
    emptyLocales: t.exposeStringList('emptyLocales', {
      description: 'Locales whose title or body is empty.',
    }),
  }),
});

builder.objectType(NoticeLeadTimeError, {
  name: 'NoticeLeadTimeError',
  description: 'The version needs re-notification and its effective date leaves less than the notice period.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    classification: t.exposeString('classification', { description: 'RENOTIFY or RECONSENT.' }),
    earliestEffectiveFrom: t.expose('earliestEffectiveFrom', {
      type: 'DateTime',
      description: 'The earliest effective date the notice period allows.',
    }),
    minimumNoticeDays: t.exposeInt('minimumNoticeDays', { description: "The controller's notice period." }),
    onlyWording: t.exposeBoolean('onlyWording', {
      description:
        'Whether only changes of wording demand the notice period: a notMaterial sign-off would make them EDITORIAL.',
    }),
  }),
});

builder.objectType(UnknownPurposesError, {
  name: 'UnknownPurposesError',
  description: 'Some purpose keys do not exist or are archived; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ purposeKeys: t.exposeStringList('purposeKeys', { description: 'The offending keys.' }) }),
});

builder.objectType(NoticeVersionNotDraftError, {
  name: 'NoticeVersionNotDraftError',
  description: 'Only drafts can be edited or discarded; published versions never change.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ status: t.exposeString('status', { description: 'The current status.' }) }),
});

builder.objectType(NoticeArchivedError, {
  name: 'NoticeArchivedError',
  description: 'The notice is archived: no new drafts or publications.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ noticeKey: t.exposeString('noticeKey', { description: 'The notice.' }) }),
});

const LocaleMatchEnum = builder.enumType('LocaleMatch', {
  description: 'How the served locale relates to the requested one.',
  values: {
    EXACT: { description: 'The requested locale.' },
    LANGUAGE: { description: 'Another locale of the same language (e.g. de for de-AT).' },
    DEFAULT: { description: "The notice's default locale." },
  },
});

const ServedTextRef = builder.objectRef<ServedText>('NoticeText').implement({
  description: 'The text of a version in the locale served for a request.',
  authScopes: { role: 'viewNotices' },
  fields: (t) => ({
    requestedLocale: t.expose('requestedLocale', {
      type: 'Locale',
      nullable: true,
      description: 'What was asked for.',
    }),
    locale: t.expose('locale', { type: 'Locale', description: 'The locale served.' }),
    match: t.expose('match', { type: LocaleMatchEnum, description: 'EXACT, LANGUAGE or DEFAULT.' }),
    title: t.exposeString('title', { description: 'Title in the served locale.' }),
    body: t.exposeString('body', { description: 'Body (Markdown) in the served locale.' }),
  }),
});

const VersionStatusEnum = builder.enumType('NoticeVersionStatus', {
  description: 'Life cycle of a notice version.',
  values: {
    DRAFT: { description: 'Editable; not shown to people.' },
    PUBLISHED: { description: 'Immutable; in force from its effective date.' },
    RETIRED: { description: 'Immutable; withdrawn from force at `retiredAt`.' },
  },
});

const requestedLocaleKey = Symbol('requestedLocale');

/**
 * A version as served by a field that takes `locale` (currentVersion, versionAt, …): a fresh
 * shallow copy carrying the locale under a private key, so that `text` serves it without repeating
 * the argument. The loaded row is never written to: two aliased fields that load the same row
 * with different locales each get their own copy (ADR 0019).
 */
export function servedIn<T extends object>(locale: string | null | undefined, version: T | null): T | null {
  return version && { ...version, [requestedLocaleKey]: locale ?? null };
}

/**
 * Whether a field that takes `locale` selects `text` beneath it without a locale of its own (the
 * text then serves the field's locale), so that the version can be read together with it.
 */
export function selectsServedText(info: GraphQLResolveInfo): boolean {
  const visit = (selections: readonly SelectionNode[] | undefined): boolean =>
    (selections ?? []).some((selection) => {
      if (selection.kind === Kind.FIELD)
        return selection.name.value === 'text' && (selection.arguments ?? []).length === 0;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet.selections);
      return visit(info.fragments[selection.name.value]?.selectionSet.selections);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet?.selections));
}

function requestedLocaleOf(version: object): string | null {
  return (version as { [requestedLocaleKey]?: string | null })[requestedLocaleKey] ?? null;
}

export const NoticeVersionRef = builder.prismaNode('NoticeVersion', {
  nullable: true,
  description: 'A version of a notice: a draft, or a published version that never changes.',
  id: { field: 'id' },
  // Select mode: each field reads only its own columns (canonicalForm only when asked for), but for
  // the few small ones every history shows, which every read selects and which resolve without a
  // selection of their own (ADR 0049).
  select: { id: true, controllerId: true, status: true, number: true, effectiveFrom: true },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (version, context) =>
    ownsRecord(context.viewer, version) &&
    (version.status === 'DRAFT' ? { role: 'editOrAudit' } : { role: 'viewNotices' }),
  fields: (t) => ({
    number: t.int({
      nullable: true,
      description: '1, 2, 3… per notice; null for a draft.',
      resolve: (version) => version.number,
    }),
    status: t.field({
      type: VersionStatusEnum,
      description: 'DRAFT, PUBLISHED or RETIRED.',
      resolve: (version) => version.status,
    }),
    noticeKey: t.string({
      description: 'Key of the notice.',
      select: { notice: { select: { key: true } } },
      resolve: (version) => version.notice.key,
    }),
    changeSummary: t.exposeString('changeSummary', { description: 'What changed, for people.' }),
    effectiveFrom: t.field({
      type: 'DateTime',
      description: 'When it takes effect.',
      resolve: (version) => version.effectiveFrom,
    }),
    publishedAt: t.expose('publishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was published.',
    }),
    publishedBy: t.exposeString('publishedByKeyId', {
      nullable: true,
      description: 'ID of the API key that published it.',
    }),
    changeMessage: t.exposeString('changeMessage', {
      nullable: true,
      description: "The publisher's change message.",
    }),
    contentHash: t.exposeString('contentHash', {
      nullable: true,
      description: 'sha256:<hex> over the canonical form (docs/content-hash.md); null for a draft.',
    }),
    canonicalForm: t.exposeString('canonicalForm', {
      nullable: true,
      description: 'The exact canonical text the content hash was computed over.',
    }),
    classification: t.expose('classification', {
      type: ChangeClassEnum,
      nullable: true,
      description: 'EDITORIAL, RENOTIFY or RECONSENT against the previous version, as stored at publication.',
    }),
    classificationReasons: t.field({
      type: [ClassificationReasonRef],
      description: 'Why it was classified so.',
      select: { classificationReasons: true },
      resolve: (version) => (version.classificationReasons ?? []) as never,
    }),
    leadTimeOverrideReason: t.exposeString('leadTimeOverrideReason', {
      nullable: true,
      description: 'Why the notice period was not respected, when the publisher overrode it.',
    }),
    wordingSignOff: t.field({
      type: WordingSignOffRef,
      nullable: true,
      description: "The publisher's statement that the version's wording changes are not material, if given.",
      select: { wordingSignOff: true },
      resolve: (version) => version.wordingSignOff as unknown as WordingSignOff | null,
    }),
    retiredAt: t.expose('retiredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was retired.',
    }),
    locales: t.field({
      type: ['Locale'],
      description: 'Locales this version has text in.',
      select: { translations: { select: { locale: true }, orderBy: { locale: 'asc' } } },
      resolve: (version) => version.translations.map((item) => item.locale),
    }),
    translations: t.relation('translations', {
      description: 'All translations, by locale.',
      query: { orderBy: { locale: 'asc' } },
    }),
    text: t.field({
      type: ServedTextRef,
      nullable: true,
      description:
        'Text in a locale: exact, else same language, else the default. Defaults to the locale asked of the parent field.',
      args: { locale: t.arg({ type: 'Locale', required: false, description: 'The preferred locale.' }) },
      resolve: (version, args, context) =>
        context.services.noticeVersion.servedText(version, args.locale ?? requestedLocaleOf(version)),
    }),
    purposes: t.field({
      type: [PurposeRevisionRef],
      description: 'Purposes covered, as pinned at publication (for a draft: their current revisions).',
      // The pinned revision only: a published version never reads its purposes' current revisions.
      select: (_args, _context, nested) => ({
        purposes: { orderBy: { position: 'asc' }, select: { purposeId: true, revision: nested() } },
      }),
      resolve: (version, _args, context) =>
        version.purposes.map(
          (link) => link.revision ?? context.services.noticeVersion.currentRevision(link.purposeId),
        ),
    }),
  }),
});

builder.prismaObject('NoticeTranslation', {
  description: 'The text of a version in one locale.',
  authScopes: { role: 'viewNotices' },
  fields: (t) => ({
    locale: t.expose('locale', { type: 'Locale', description: 'BCP 47 locale.' }),
    title: t.exposeString('title', { description: 'Title.' }),
    body: t.exposeString('body', { description: 'Body, Markdown.' }),
  }),
});

const TranslationInput = builder.inputType('NoticeTranslationInput', {
  description: 'The text of a version in one locale.',
  fields: (t) => ({
    locale: t.field({ type: 'Locale', description: 'BCP 47 locale.' }),
    title: t.string({ description: 'Title.' }),
    body: t.string({ description: 'Body, Markdown; must not be empty.' }),
  }),
});

const CreateDraftInput = builder.inputType('CreateNoticeDraftInput', {
  description: 'A new draft version of a notice.',
  fields: (t) => ({
    noticeKey: t.string({ description: 'The notice.' }),
    translations: t.field({ type: [TranslationInput], description: 'Text per locale.' }),
    purposeKeys: t.stringList({ description: 'Purposes the version covers, by key, in display order.' }),
    changeSummary: t.string({ description: 'What changed, for people.' }),
    effectiveFrom: t.field({ type: 'DateTime', description: 'When it is meant to take effect.' }),
  }),
  validate: createDraftSchema,
});

const UpdateDraftInput = builder.inputType('UpdateNoticeDraftInput', {
  description: 'Changes to a draft; omitted fields stay. Lists replace the old ones.',
  fields: (t) => ({
    id: t.globalID({ for: NoticeVersionRef, description: 'The draft.' }),
    translations: t.field({ type: [TranslationInput], required: false, description: 'Text per locale.' }),
    purposeKeys: t.stringList({ required: false, description: 'Purposes, by key.' }),
    changeSummary: t.string({ required: false, description: 'What changed.' }),
    effectiveFrom: t.field({ type: 'DateTime', required: false, description: 'When it takes effect.' }),
  }),
  validate: updateDraftSchema,
});

const VersionIdInput = builder.inputType('NoticeVersionIdInput', {
  description: 'A notice version.',
  fields: (t) => ({ id: t.globalID({ for: NoticeVersionRef, description: 'Its global ID.' }) }),
});

const NotMaterialInput = builder.inputType('NotMaterialInput', {
  description:
    'A signed statement that the wording changes (purpose names and descriptions, notice text) do not change what people are told.',
  fields: (t) => ({
    signedBy: t.string({ description: 'Who signs it off, e.g. "Jane Doe, DPO".' }),
    reason: t.string({ description: 'Why the wording changes are not material.' }),
  }),
});

const PublishInput = builder.inputType('PublishNoticeVersionInput', {
  description: 'Publishes a draft.',
  fields: (t) => ({
    id: t.globalID({ for: NoticeVersionRef, description: 'The draft.' }),
    changeMessage: t.string({ description: 'Why it is published; stored with it.' }),
    leadTimeOverrideReason: t.string({
      required: false,
      description: 'Publish despite the notice period, for this stated reason (stored and shown).',
    }),
    notMaterial: t.field({
      type: NotMaterialInput,
      required: false,
      description:
        'Signs off the wording changes as not material, making them EDITORIAL (stored and shown); refused when nothing was reworded.',
    }),
  }),
  validate: publishSchema,
});

const VersionPayload = builder.objectRef<{ id: string }>('NoticeVersionPayload').implement({
  description: 'The version after the change.',
  fields: (t) => ({
    version: t.prismaField({
      type: 'NoticeVersion',
      description: 'The version.',
      resolve: async (query, payload, _args, context) =>
        (await context.services.noticeVersion.byId(payload.id, query))!,
    }),
  }),
});

const DiscardPayload = builder.objectRef<{ id: string }>('DiscardNoticeDraftPayload').implement({
  description: 'The discarded draft.',
  fields: (t) => ({
    discardedId: t.exposeID('id', { description: 'Raw ID of the discarded draft.' }),
  }),
});

const versionErrors = [
  ...commonErrors,
  UnknownPurposesError,
  NoticeArchivedError,
  NoticeVersionNotDraftError,
  NoticeVersionIncompleteError,
  NoticeLeadTimeError,
];

builder.queryFields((t) => ({
  noticeVersion: t.prismaField({
    type: 'NoticeVersion',
    nullable: true,
    description: 'A version by global ID.',
    authScopes: { role: 'readNotices' },
    args: { id: t.arg.id({ description: 'Its global ID.' }) },
    resolve: (query, _root, args, context) =>
      context.services.noticeVersion.byId(decodeGlobalIdOf('NoticeVersion', args.id) ?? '', query),
  }),
}));

builder.mutationFields((t) => ({
  createNoticeDraft: t.field({
    type: VersionPayload,
    description: 'Creates a draft version. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: versionErrors },
    args: { input: t.arg({ type: CreateDraftInput, description: 'The draft.' }) },
    resolve: async (_root, { input }, context) => context.services.noticeVersion.createDraft(input),
  }),
  updateNoticeDraft: t.field({
    type: VersionPayload,
    description: 'Edits a draft. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: versionErrors },
    args: { input: t.arg({ type: UpdateDraftInput, description: 'The changes.' }) },
    resolve: async (_root, { input }, context) =>
      context.services.noticeVersion.updateDraft(input.id.id, input),
  }),
  discardNoticeDraft: t.field({
    type: DiscardPayload,
    description: 'Deletes a draft. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: versionErrors },
    args: { input: t.arg({ type: VersionIdInput, description: 'The draft.' }) },
    resolve: async (_root, { input }, context) => ({
      id: await context.services.noticeVersion.discardDraft(input.id.id),
    }),
  }),
  publishNoticeVersion: t.field({
    type: VersionPayload,
    description:
      'Publishes a draft: numbers it, pins purposes, classifies, hashes. Retries return it. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: versionErrors },
    args: { input: t.arg({ type: PublishInput, description: 'What to publish.' }) },
    resolve: async (_root, { input }, context) => context.services.noticeVersion.publish(input.id.id, input),
  }),
  retireNoticeVersion: t.field({
    type: VersionPayload,
    description: 'Withdraws a published version from force from now on; idempotent. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: versionErrors },
    args: { input: t.arg({ type: VersionIdInput, description: 'The version.' }) },
    resolve: async (_root, { input }, context) => context.services.noticeVersion.retire(input.id.id),
  }),
}));
