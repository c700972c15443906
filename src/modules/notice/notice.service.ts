import DataLoader from 'dataloader';
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/prisma-errors.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { Notice, NoticeVersion, Prisma } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import type { NoticePubSub } from './notice.events.js';
import { firstVersionsQuery, noticeByKeyQuery, readRecords, type WithServedText } from './notice-read.sql.js';
import { type ServedTextRow, servedTextOf, withServedText } from './notice-version.service.js';

type NoticeQuery = { include?: Prisma.NoticeInclude; select?: Prisma.NoticeSelect };
type VersionQuery = { include?: Prisma.NoticeVersionInclude; select?: Prisma.NoticeVersionSelect };

/** Which version a single-version field picks: the first by `orderBy` among those matching `where`. */
export type { WithServedText };

export interface VersionFind {
  readonly where: Prisma.NoticeVersionWhereInput;
  readonly orderBy?: Prisma.NoticeVersionOrderByWithRelationInput[];
}

export interface NoticeFilter {
  readonly status?: 'ACTIVE' | 'ARCHIVED' | null;
  readonly purposeKey?: string | null;
  readonly search?: string | null;
}

export interface CreateNoticeInput {
  readonly key: string;
  readonly title: string;
  readonly defaultLocale: string;
  readonly requiredLocales?: readonly string[] | null;
}

export class NoticeService {
  /** The request's instant: every "now" of one request (in force, upcoming) is the same one. */
  readonly now = new Date();

  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    private readonly pubsub: NoticePubSub,
  ) {}

  async create(input: CreateNoticeInput, now = new Date()): Promise<Notice> {
    const requiredLocales = [...new Set([input.defaultLocale, ...(input.requiredLocales ?? [])])];
    try {
      return await this.database.prisma.$transaction(async (tx) => {
        const notice = await tx.notice.create({
          data: {
            controllerId: this.viewer.controllerId,
            key: input.key,
            title: input.title,
            defaultLocale: input.defaultLocale,
            requiredLocales,
            createdAt: now,
          },
        });
        await appendAudit(
          tx,
          actorOf(this.viewer),
          {
            action: 'notice:create',
            targetType: 'Notice',
            targetId: notice.id,
            details: { key: input.key, defaultLocale: input.defaultLocale, requiredLocales },
          },
          now,
        );
        return notice;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A notice with key ${input.key} exists.`, 'key');
      throw error;
    }
  }

  /** Idempotent. Published versions stay readable; no new drafts or publications. */
  async archive(key: string, now = new Date()): Promise<Notice> {
    const where = { controllerId: this.viewer.controllerId, key };
    const { notice, archived } = await this.database.prisma.$transaction(async (tx) => {
      const changed = await tx.notice.updateMany({
        where: { ...where, archivedAt: null },
        data: { archivedAt: now },
      });
      const notice = await tx.notice.findFirst({ where });
      if (notice === null) throw new NotFoundError('Notice', key);
      if (changed.count > 0) {
        await appendAudit(
          tx,
          actorOf(this.viewer),
          { action: 'notice:archive', targetType: 'Notice', targetId: notice.id, details: { key } },
          now,
        );
      }
      return { notice, archived: changed.count > 0 };
    });
    if (archived)
      this.pubsub.publish('noticeChanged', { controllerId: this.viewer.controllerId, noticeKey: key });
    return notice;
  }

  /**
   * One statement: the notice with everything its GraphQL selection asks for beneath it (the
   * `versions` page, their purposes and pinned revisions). Read as one JSON record
   * (notice-read.sql.ts, ADR 0025) when the selection is one that module knows, else joined by
   * Prisma in PostgreSQL (ADR 0019).
   */
  async byKey(key: string, query: NoticeQuery = {}): Promise<Notice | null> {
    const facts = noticeByKeyQuery(this.viewer.controllerId, key, query);
    if (facts !== null) return ((await readRecords(this.database.prisma, facts))[0] ?? null) as Notice | null;
    return this.database.prisma.notice.findUnique({
      ...query,
      where: { controllerId_key: { controllerId: this.viewer.controllerId, key } },
      relationLoadStrategy: 'join',
    });
  }

  /**
   * The version a single-version field picks, per notice. Calls in one tick with the same pick and
   * selection share one statement: a single notice reads its one row (`findFirst`); a list of
   * notices (`notices { edges { node { currentVersion … } } }`) reads the matching rows of all of
   * them at once and keeps the first per notice, so a list never costs a statement per notice.
   * Selections notice-read.sql.ts knows are read as JSON records, one LATERAL probe per notice.
   */
  /**
   * The first version of a notice matching `find`, batched over notices. With `text`, the version
   * is read together with the text served for that locale (one statement, not two), when the read
   * is one notice-read.sql.ts knows.
   */
  versionOf(noticeId: string, find: VersionFind, query: VersionQuery = {}, text?: WithServedText) {
    const key = JSON.stringify([find, query, text ?? null]);
    let loader = this.versionLoaders.get(key);
    if (!loader) {
      loader = new DataLoader((noticeIds: readonly string[]) =>
        this.loadVersions(noticeIds, find, query, text),
      );
      this.versionLoaders.set(key, loader);
    }
    return loader.load(noticeId);
  }

  private readonly versionLoaders = new Map<string, DataLoader<string, NoticeVersion | null>>();

  private async loadVersions(
    noticeIds: readonly string[],
    find: VersionFind,
    query: VersionQuery,
    text: WithServedText | undefined,
  ): Promise<(NoticeVersion | null)[]> {
    const facts = firstVersionsQuery(this.viewer.controllerId, noticeIds, find, query, text);
    if (facts !== null) {
      const records = await readRecords(this.database.prisma, facts);
      if (text === undefined) return records as (NoticeVersion | null)[];
      return records.map((record) => {
        if (record === null) return null;
        const { servedText, ...version } = record as NoticeVersion & { servedText: ServedTextRow | null };
        const requested = text.requestedLocale;
        return withServedText(version, requested, servedText && servedTextOf(servedText, requested));
      });
    }
    const where = { ...find.where, controllerId: this.viewer.controllerId };
    if (noticeIds.length === 1) {
      const row = await this.database.prisma.noticeVersion.findFirst({
        ...query,
        where: { ...where, noticeId: noticeIds[0]! },
        orderBy: find.orderBy,
        relationLoadStrategy: 'join',
      });
      return [row];
    }
    // The selection must carry noticeId to tell the rows apart.
    const selection = query.select ? { select: { ...query.select, noticeId: true } } : query;
    const rows = (await this.database.prisma.noticeVersion.findMany({
      ...selection,
      where: { ...where, noticeId: { in: [...noticeIds] } },
      orderBy: [{ noticeId: 'asc' }, ...(find.orderBy ?? [])],
      relationLoadStrategy: 'join',
    })) as NoticeVersion[];
    const first = new Map<string, NoticeVersion>();
    for (const row of rows) if (!first.has(row.noticeId)) first.set(row.noticeId, row);
    return noticeIds.map((id) => first.get(id) ?? null);
  }

  list(filter: NoticeFilter, query: NoticeQuery = {}) {
    const where: Prisma.NoticeWhereInput = { controllerId: this.viewer.controllerId };
    if (filter.status === 'ACTIVE') where.archivedAt = null;
    if (filter.status === 'ARCHIVED') where.archivedAt = { not: null };
    if (filter.search) where.title = { contains: filter.search, mode: 'insensitive' };
    if (filter.purposeKey) {
      where.versions = { some: { purposes: { some: { purpose: { key: filter.purposeKey } } } } };
    }
    return this.database.prisma.notice.findMany({ ...query, where, orderBy: [{ key: 'asc' }] });
  }
}
