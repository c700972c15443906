import DataLoader from 'dataloader';
import type { Database } from '../../db/database.js';
import { InputValidationError, NotFoundError } from '../../domain/errors.js';
import { type NoticeVersion, Prisma, type PurposeRevision } from '../../generated/prisma/client.js';
import { isUuid } from '../../lib/uuid.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { changes } from '../change-feed/change-events.js';
import { emitChange } from '../change-feed/change-feed.emit.js';
import { logPublishedVersion, signTreeHead } from '../transparency-log/transparency-log.service.js';
import { canonicalForm, contentHash } from './content-hash.js';
import {
  NoticeArchivedError,
  NoticeLeadTimeError,
  NoticeVersionIncompleteError,
  NoticeVersionNotDraftError,
  UnknownPurposesError,
} from './notice.errors.js';
import { type NoticePubSub, noticeTopic } from './notice.events.js';
import {
  earliestEffectiveFrom,
  emptyLocales,
  type LocaleMatch,
  localeMatchOfRank,
  missingLocales,
  servedTranslation,
  violatesLeadTime,
} from './notice.policy.js';
import type { CreateDraftInput, TranslationInput, UpdateDraftInput } from './notice.validation.js';
import { diffVersions, onlyWording, type VersionDiff, type WordingSignOff } from './version-diff.js';
import { emptySnapshot, loadVersionSnapshot } from './version-snapshot.js';

type Tx = Prisma.TransactionClient;
type VersionQuery = { include?: Prisma.NoticeVersionInclude; select?: Prisma.NoticeVersionSelect };

/** A version's text in the locale served for a request. */
export interface ServedText {
  readonly requestedLocale: string | null;
  readonly locale: string;
  readonly match: LocaleMatch;
  readonly title: string;
  readonly body: string;
}

/** A served text as a statement returns it: the translation's columns and its rank. */
export interface ServedTextRow {
  readonly locale: string;
  readonly title: string;
  readonly body: string;
  readonly rank: number | bigint;
}

export function servedTextOf(row: ServedTextRow, requestedLocale: string | null): ServedText {
  return {
    requestedLocale,
    locale: row.locale,
    match: localeMatchOfRank(Number(row.rank)),
    title: row.title,
    body: row.body,
  };
}

const readWithText = Symbol('readWithText');

/**
 * Marks a version record read together with the text served for `requestedLocale` (null: none).
 * Only for a record its own load owns: the load's key names the locale, so two fields asking for
 * different locales never share the record.
 */
export function withServedText<T extends object>(
  version: T,
  requestedLocale: string | null,
  text: ServedText | null,
): T {
  return Object.assign(version, { [readWithText]: { requestedLocale, text } });
}

type DraftRevision = PurposeRevision & { purpose: { key: string } };

interface TextKey {
  readonly versionId: string;
  readonly requestedLocale: string | null;
}

export interface PublishOptions {
  readonly changeMessage: string;
  readonly leadTimeOverrideReason?: string | null;
  /** A signed statement that the version's wording changes are not material (docs/change-classification.md). */
  readonly notMaterial?: { readonly signedBy: string; readonly reason: string } | null;
}

/** A publication also appends its transparency-log leaf and its change event. */
const publishTransaction = { timeout: 30_000, maxWait: 30_000 };

export class NoticeVersionService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly pubsub: NoticePubSub,
  ) {}

  private async activeNotice(tx: Tx, noticeKey: string) {
    const notice = await tx.notice.findUnique({
      where: { controllerId_key: { controllerId: this.viewer.controllerId, key: noticeKey } },
    });
    if (notice === null) throw new NotFoundError('Notice', noticeKey);
    if (notice.archivedAt !== null) throw new NoticeArchivedError(noticeKey);
    return notice;
  }

  private async purposeIds(tx: Tx, keys: readonly string[]): Promise<string[]> {
    const found = await tx.purpose.findMany({
      where: { controllerId: this.viewer.controllerId, key: { in: [...keys] }, archivedAt: null },
      select: { id: true, key: true },
    });
    const byKey = new Map(found.map((purpose) => [purpose.key, purpose.id]));
    const unknown = keys.filter((key) => !byKey.has(key));
    if (unknown.length > 0) throw new UnknownPurposesError(unknown);
    return keys.map((key) => byKey.get(key)!);
  }

  /**
   * The version to change, read under its row lock: a concurrent publish, edit or discard of the
   * same version waits here and then sees the committed outcome (e.g. PUBLISHED) instead of
   * writing to a version that became immutable meanwhile.
   */
  private async lockedVersion(tx: Tx, id: string) {
    if (!isUuid(id)) throw new NotFoundError('NoticeVersion', id);
    await tx.$queryRaw`
      SELECT 1 FROM "NoticeVersion"
      WHERE "id" = ${id}::uuid AND "controllerId" = ${this.viewer.controllerId}::uuid
      FOR UPDATE`;
    const version = await tx.noticeVersion.findFirst({
      where: { id, controllerId: this.viewer.controllerId },
    });
    if (version === null) throw new NotFoundError('NoticeVersion', id);
    return version;
  }

  private translationRows(translations: readonly TranslationInput[]) {
    return translations.map(({ locale, title, body }) => ({ locale, title, body }));
  }

  createDraft(input: CreateDraftInput, now = new Date()): Promise<NoticeVersion> {
    return this.database.prisma.$transaction(async (tx) => {
      const notice = await this.activeNotice(tx, input.noticeKey);
      const purposeIds = await this.purposeIds(tx, input.purposeKeys);
      const draft = await tx.noticeVersion.create({
        data: {
          controllerId: this.viewer.controllerId,
          noticeId: notice.id,
          changeSummary: input.changeSummary,
          effectiveFrom: input.effectiveFrom,
          createdByKeyId: this.viewer.apiKeyId,
          createdAt: now,
          translations: { create: this.translationRows(input.translations) },
          purposes: { create: purposeIds.map((purposeId, position) => ({ purposeId, position })) },
        },
      });
      await appendAudit(
        tx,
        actorOf(this.viewer),
        {
          action: 'noticeVersion:createDraft',
          targetType: 'NoticeVersion',
          targetId: draft.id,
          details: {
            noticeKey: input.noticeKey,
            purposeKeys: input.purposeKeys,
            locales: input.translations.map((t) => t.locale),
          },
        },
        now,
      );
      return draft;
    });
  }

  updateDraft(id: string, input: UpdateDraftInput): Promise<NoticeVersion> {
    return this.database.prisma.$transaction(async (tx) => {
      const version = await this.lockedVersion(tx, id);
      if (version.status !== 'DRAFT') throw new NoticeVersionNotDraftError(version.status);
      if (input.translations) {
        await tx.noticeTranslation.deleteMany({ where: { versionId: id } });
        await tx.noticeTranslation.createMany({
          data: this.translationRows(input.translations).map((row) => ({ ...row, versionId: id })),
        });
      }
      if (input.purposeKeys) {
        const purposeIds = await this.purposeIds(tx, input.purposeKeys);
        await tx.noticeVersionPurpose.deleteMany({ where: { versionId: id } });
        await tx.noticeVersionPurpose.createMany({
          data: purposeIds.map((purposeId, position) => ({ versionId: id, purposeId, position })),
        });
      }
      const updated = await tx.noticeVersion.update({
        where: { id },
        data: {
          ...(input.changeSummary ? { changeSummary: input.changeSummary } : {}),
          ...(input.effectiveFrom ? { effectiveFrom: input.effectiveFrom } : {}),
        },
      });
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'noticeVersion:updateDraft',
        targetType: 'NoticeVersion',
        targetId: id,
        details: {
          changed: Object.keys(input).filter((key) => input[key as keyof UpdateDraftInput] != null),
        },
      });
      return updated;
    });
  }

  async discardDraft(id: string): Promise<string> {
    return this.database.prisma.$transaction(async (tx) => {
      const version = await this.lockedVersion(tx, id);
      if (version.status !== 'DRAFT') throw new NoticeVersionNotDraftError(version.status);
      await tx.noticeVersion.delete({ where: { id } });
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'noticeVersion:discardDraft',
        targetType: 'NoticeVersion',
        targetId: id,
      });
      return id;
    });
  }

  /**
   * Publishing numbers the version under a row lock on its notice (gap-free, also when two
   * publishes race), pins the purposes' current revisions, classifies the change against the
   * previous version, enforces the lead time, and seals the content hash. A retry of a
   * publication that already happened returns the published version.
   */
  async publish(id: string, options: PublishOptions, now = new Date()): Promise<NoticeVersion> {
    const published = await this.database.prisma.$transaction(async (tx) => {
      const draft = await this.lockedVersion(tx, id);
      if (draft.status !== 'DRAFT') return { version: draft, fresh: false };
      const notice = await tx.notice.update({
        where: { id: draft.noticeId },
        data: { publishedCount: { increment: 1 } },
      });
      if (notice.archivedAt !== null) throw new NoticeArchivedError(notice.key);
      const number = notice.publishedCount;
      const parts = await tx.noticeVersion.findUniqueOrThrow({
        where: { id },
        include: { translations: true, purposes: { include: { purpose: true } } },
      });
      const missing = missingLocales(
        notice.requiredLocales,
        notice.defaultLocale,
        parts.translations.map((item) => item.locale),
      );
      const empty = emptyLocales(parts.translations);
      if (missing.length > 0 || empty.length > 0) throw new NoticeVersionIncompleteError(missing, empty);
      const archived = parts.purposes.filter((link) => link.purpose.archivedAt !== null);
      if (archived.length > 0) throw new UnknownPurposesError(archived.map((link) => link.purpose.key));

      // A version cannot have been in force before it was published: history must not change.
      const effectiveFrom = draft.effectiveFrom < now ? now : draft.effectiveFrom;
      if (effectiveFrom !== draft.effectiveFrom) {
        await tx.noticeVersion.update({ where: { id }, data: { effectiveFrom } });
      }
      await tx.$executeRaw`
        UPDATE "NoticeVersionPurpose" AS link
        SET "revisionId" = (
          SELECT revision."id" FROM "PurposeRevision" AS revision
          WHERE revision."purposeId" = link."purposeId"
          ORDER BY revision."number" DESC LIMIT 1)
        WHERE link."versionId" = ${id}::uuid`;

      const previous = await tx.noticeVersion.findFirst({
        where: { noticeId: notice.id, number: { not: null } },
        orderBy: { number: 'desc' },
      });
      const snapshot = await loadVersionSnapshot(tx, id, number);
      const before = previous
        ? await loadVersionSnapshot(tx, previous.id, previous.number)
        : emptySnapshot(notice.key, effectiveFrom);
      const signOff: WordingSignOff | null = options.notMaterial
        ? {
            signedBy: options.notMaterial.signedBy.trim(),
            reason: options.notMaterial.reason.trim(),
            apiKeyId: this.viewer.apiKeyId,
            signedAt: now.toISOString(),
          }
        : null;
      const diff = diffVersions(before, snapshot, { wordingSignOff: signOff });
      if (signOff !== null && diff.wordingSignOff === null) {
        throw new InputValidationError([
          {
            path: ['input', 'notMaterial'],
            message:
              'nothing to sign off: the version changes no purpose name or description and no notice text',
          },
        ]);
      }
      const controller = await tx.controller.findUniqueOrThrow({ where: { id: this.viewer.controllerId } });
      const override = options.leadTimeOverrideReason?.trim() || null;
      if (
        !override &&
        violatesLeadTime(diff.classification, effectiveFrom, now, controller.minimumNoticeDays)
      ) {
        throw new NoticeLeadTimeError(
          diff.classification,
          earliestEffectiveFrom(now, controller.minimumNoticeDays),
          controller.minimumNoticeDays,
          onlyWording(diff),
        );
      }
      const version = await tx.noticeVersion.update({
        where: { id },
        data: {
          status: 'PUBLISHED',
          number,
          publishedAt: now,
          publishedByKeyId: this.viewer.apiKeyId,
          changeMessage: options.changeMessage,
          canonicalForm: canonicalForm(snapshot),
          contentHash: contentHash(snapshot),
          classification: diff.classification,
          classificationReasons: diff.reasons as unknown as Prisma.InputJsonValue,
          leadTimeOverrideReason: override,
          controllerIdentity: snapshot.controller ? { ...snapshot.controller } : Prisma.DbNull,
          minimumNoticeDays: controller.minimumNoticeDays,
          wordingSignOff: signOff ? { ...signOff } : Prisma.DbNull,
        },
      });
      await appendAudit(
        tx,
        actorOf(this.viewer),
        {
          action: 'noticeVersion:publish',
          targetType: 'NoticeVersion',
          targetId: id,
          details: {
            noticeKey: notice.key,
            number,
            contentHash: version.contentHash,
            classification: diff.classification,
            effectiveFrom: effectiveFrom.toISOString(),
            leadTimeOverrideReason: override,
            wordingSignOff: signOff ? { ...signOff } : null,
            changeMessage: options.changeMessage,
          },
        },
        now,
      );
      await logPublishedVersion(tx, this.viewer.controllerId, id);
      await emitChange(tx, changes.versionPublished(version, notice.key), now);
      return { version, fresh: true, noticeKey: notice.key };
      // The log's leaf and the feed's event join the publication: more than Prisma's 5 s default
      // allows on a loaded machine, and publishing is rare.
    }, publishTransaction);
    // A signed tree head covering the version (also on a retry, should signing have failed before).
    if (published.version.status === 'PUBLISHED') await signTreeHead(this.database, this.viewer.controllerId);
    if (published.fresh && published.noticeKey) {
      this.pubsub.publish(
        'noticeVersionPublished',
        noticeTopic(this.viewer.controllerId, published.noticeKey),
        {
          versionId: published.version.id,
        },
      );
      this.pubsub.publish('noticeChanged', {
        controllerId: this.viewer.controllerId,
        noticeKey: published.noticeKey,
      });
    }
    return published.version;
  }

  /** Takes a published version out of force from now on; its content stays as it was. Idempotent. */
  async retire(id: string, now = new Date()): Promise<NoticeVersion> {
    const outcome = await this.database.prisma.$transaction(async (tx) => {
      const version = await this.lockedVersion(tx, id);
      if (version.status === 'RETIRED') return { version, noticeKey: null };
      if (version.status === 'DRAFT') throw new NoticeVersionNotDraftError('a draft (discard it instead)');
      const retired = await tx.noticeVersion.update({
        where: { id },
        data: { status: 'RETIRED', retiredAt: now, retiredByKeyId: this.viewer.apiKeyId },
        include: { notice: { select: { key: true } } },
      });
      await appendAudit(
        tx,
        actorOf(this.viewer),
        { action: 'noticeVersion:retire', targetType: 'NoticeVersion', targetId: id },
        now,
      );
      await emitChange(tx, changes.versionRetired(retired, retired.notice.key), now);
      const { notice, ...withoutNotice } = retired;
      return { version: withoutNotice, noticeKey: notice.key };
    });
    const { noticeKey } = outcome;
    if (noticeKey !== null) {
      this.pubsub.publish('noticeChanged', { controllerId: this.viewer.controllerId, noticeKey });
    }
    return outcome.version;
  }

  /**
   * The text served for a version and a requested locale: the one read with the version when it
   * was read for that locale, else by the batch of texts — one statement per batch, the served
   * translation chosen in SQL (`servedTranslation`, src/modules/notice/notice.policy.ts) and only
   * its row read. Null for a version without translations.
   */
  servedText(version: { readonly id: string }, requestedLocale: string | null): Promise<ServedText | null> {
    const read = (
      version as { [readWithText]?: { requestedLocale: string | null; text: ServedText | null } }
    )[readWithText];
    if (read !== undefined && read.requestedLocale === requestedLocale) return Promise.resolve(read.text);
    this.textLoader ??= new DataLoader((keys) => this.loadServedTexts(keys), {
      cacheKeyFn: (key) => `${key.versionId} ${key.requestedLocale ?? ''}`,
    });
    return this.textLoader.load({ versionId: version.id, requestedLocale });
  }

  private textLoader?: DataLoader<TextKey, ServedText | null, string>;

  private async loadServedTexts(keys: readonly TextKey[]): Promise<(ServedText | null)[]> {
    const pick = servedTranslation(Prisma.sql`k.id`, Prisma.sql`k.requested`, Prisma.sql`n."defaultLocale"`);
    const rows = await this.database.prisma.$queryRaw<(ServedTextRow & { position: bigint })[]>`
      SELECT k.position, pick.rank, t."locale", t."title", t."body"
      FROM unnest(${keys.map((key) => key.versionId)}::uuid[], ${keys.map((key) => key.requestedLocale)}::text[])
        WITH ORDINALITY AS k(id, requested, position)
      JOIN "NoticeVersion" v ON v."id" = k.id AND v."controllerId" = ${this.viewer.controllerId}::uuid
      JOIN "Notice" n ON n."id" = v."noticeId"
      JOIN LATERAL ${pick} pick ON true
      JOIN "NoticeTranslation" t ON t."id" = pick."id"`;
    const served = new Map(rows.map((row) => [Number(row.position), row]));
    return keys.map((key, index) => {
      const row = served.get(index + 1);
      return row ? servedTextOf(row, key.requestedLocale) : null;
    });
  }

  /**
   * The current revision of each purpose, for the purposes of drafts (a published version pins
   * its revisions and never needs this). One statement per batch.
   */
  currentRevision(purposeId: string) {
    this.revisionLoader ??= new DataLoader<string, DraftRevision>(async (ids) => {
      const purposes = await this.database.prisma.purpose.findMany({
        where: { id: { in: [...ids] }, controllerId: this.viewer.controllerId },
        select: { id: true, key: true, revisions: { orderBy: { number: 'desc' }, take: 1 } },
      });
      const byId = new Map(
        purposes.map((purpose) => [purpose.id, { ...purpose.revisions[0]!, purpose: { key: purpose.key } }]),
      );
      return ids.map((id) => byId.get(id) ?? new NotFoundError('Purpose', id));
    });
    return this.revisionLoader.load(purposeId);
  }

  private revisionLoader?: DataLoader<string, DraftRevision>;

  byId(id: string, query: VersionQuery = {}) {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.database.prisma.noticeVersion.findFirst({
      ...query,
      where: { id, controllerId: this.viewer.controllerId },
    });
  }

  private byNumber(noticeId: string, number: number) {
    return this.database.prisma.noticeVersion.findFirst({
      where: { noticeId, controllerId: this.viewer.controllerId, number },
    });
  }

  /** Compares two published versions of a notice by number. */
  async diff(noticeId: string, from: number, to: number): Promise<VersionDiff> {
    const [before, after] = await Promise.all([this.byNumber(noticeId, from), this.byNumber(noticeId, to)]);
    if (before === null) throw new NotFoundError('NoticeVersion', `number ${from}`);
    if (after === null) throw new NotFoundError('NoticeVersion', `number ${to}`);
    const prisma = this.database.prisma;
    const [a, b] = [
      await loadVersionSnapshot(prisma, before.id, before.number),
      await loadVersionSnapshot(prisma, after.id, after.number),
    ];
    return diffVersions(a, b, { wordingSignOff: after.wordingSignOff as unknown as WordingSignOff | null });
  }
}
