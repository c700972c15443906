import { createPubSub } from 'graphql-yoga';
import type { Database } from '../../db/database.js';
import { NotFoundError } from '../../domain/errors.js';
import type { ChangeClass } from '../notice/change-class.js';
import { versionInForce, versionUpcoming } from '../notice/in-force.policy.js';
import type { NoticeEvents } from '../notice/notice.events.js';
import { NoticeService } from '../notice/notice.service.js';
import { NoticeVersionService, type ServedText } from '../notice/notice-version.service.js';
import type { VersionDiff } from '../notice/version-diff.js';
import { publicReader } from './public-reader.js';

/** A published or retired version as the pages list it; drafts have no number and are never read. */
export interface PublicVersion {
  readonly id: string;
  readonly number: number;
  readonly status: 'PUBLISHED' | 'RETIRED';
  readonly effectiveFrom: Date;
  readonly publishedAt: Date;
  readonly retiredAt: Date | null;
  readonly changeSummary: string;
  readonly contentHash: string;
  readonly classification: ChangeClass;
}

export interface PublicController {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
}

/** A version with the text served to the visitor, and the locales it has. */
export interface ServedVersion {
  readonly version: PublicVersion;
  readonly text: ServedText;
  readonly locales: readonly string[];
}

export interface NoticePage {
  readonly controller: PublicController;
  readonly noticeKey: string;
  readonly archived: boolean;
  readonly inForce: ServedVersion | null;
  readonly upcoming: ServedVersion | null;
  /** Newest first. */
  readonly history: readonly PublicVersion[];
  readonly diff: { readonly from: number; readonly to: number; readonly changes: VersionDiff } | null;
  /** The instant the page describes: "in force" and "upcoming" are as of then. */
  readonly at: Date;
}

export interface VersionPage {
  readonly controller: PublicController;
  readonly noticeKey: string;
  readonly served: ServedVersion;
  readonly history: readonly PublicVersion[];
  readonly at: Date;
}

/**
 * What the notice read selects for a page: the notice and its numbered versions, in the one-statement
 * JSON read of src/modules/notice/notice-read.sql.ts (ADR 0025). `number: { not: null }` is what
 * keeps drafts out.
 */
const noticeSelection = {
  select: {
    id: true,
    key: true,
    archivedAt: true,
    versions: {
      where: { number: { not: null } },
      orderBy: { number: 'desc' },
      select: {
        id: true,
        number: true,
        status: true,
        effectiveFrom: true,
        publishedAt: true,
        retiredAt: true,
        changeSummary: true,
        contentHash: true,
        classification: true,
      },
    },
  },
} as const;

interface NoticeRecord {
  readonly id: string;
  readonly key: string;
  readonly archivedAt: Date | null;
  readonly versions: PublicVersion[];
}

/**
 * The public notice pages' reads (docs/public-pages.md). Nothing here needs a key: a controller is
 * found by its slug only when it has turned the pages on, and everything below is read through the
 * notice services bound to that controller (src/modules/public-page/public-reader.ts), so the
 * tenant filter is theirs. A controller that has not opted in, an unknown one, an unknown notice
 * and an unknown version number are all `null`: the route answers each with the same 404.
 */
export class PublicPageService {
  constructor(
    private readonly database: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The controller by slug, if it serves public pages. */
  async controller(slug: string): Promise<PublicController | null> {
    return this.database.prisma.controller.findFirst({
      where: { slug, publicNoticePages: true },
      select: { id: true, slug: true, name: true },
    });
  }

  /**
   * The notice's page: in force and upcoming (each in the visitor's language), the history, and
   * the diff between two version numbers when asked. Null when the notice or a version of the diff
   * does not exist.
   */
  async noticePage(
    controller: PublicController,
    noticeKey: string,
    preferences: readonly string[],
    compare: { readonly from: number; readonly to: number } | null,
  ): Promise<NoticePage | null> {
    const reader = this.reader(controller);
    const notice = (await reader.notice.byKey(noticeKey, noticeSelection)) as NoticeRecord | null;
    if (notice === null) return null;
    const at = reader.now;
    const inForceVersion = versionInForce(notice.versions, at);
    const upcomingVersion = versionUpcoming(notice.versions, at);
    const [served, changes] = await Promise.all([
      this.serve(controller, reader.noticeVersion, [inForceVersion, upcomingVersion], preferences),
      compare ? this.diff(reader.noticeVersion, notice.id, compare) : null,
    ]);
    if (compare && changes === null) return null;
    return {
      controller,
      noticeKey: notice.key,
      archived: notice.archivedAt !== null,
      inForce: served[0] ?? null,
      upcoming: served[1] ?? null,
      history: notice.versions,
      diff: compare && changes ? { ...compare, changes } : null,
      at,
    };
  }

  /** One version's page by number; null when the notice or the number does not exist. */
  async versionPage(
    controller: PublicController,
    noticeKey: string,
    number: number,
    preferences: readonly string[],
  ): Promise<VersionPage | null> {
    const reader = this.reader(controller);
    const notice = (await reader.notice.byKey(noticeKey, noticeSelection)) as NoticeRecord | null;
    const version = notice?.versions.find((candidate) => candidate.number === number);
    if (!notice || !version) return null;
    const [served] = await this.serve(controller, reader.noticeVersion, [version], preferences);
    if (!served) return null;
    return { controller, noticeKey: notice.key, served, history: notice.versions, at: reader.now };
  }

  private reader(controller: PublicController) {
    const viewer = publicReader(controller.id);
    const events = createPubSub<NoticeEvents>();
    return {
      notice: new NoticeService(this.database, viewer, events),
      noticeVersion: new NoticeVersionService(this.database, viewer, events),
      now: this.now(),
    };
  }

  /**
   * The text of each version in the visitor's language, and each version's locales: two
   * statements whatever the number of versions and preferences. Every preference is a candidate of
   * one batched served-text read (the API's ranking, `servedLocaleRank`); the first preference the
   * version has in that locale or language wins, else the notice's default locale.
   */
  private async serve(
    controller: PublicController,
    service: NoticeVersionService,
    versions: readonly (PublicVersion | null)[],
    preferences: readonly string[],
  ): Promise<(ServedVersion | null)[]> {
    const present = versions.filter((version): version is PublicVersion => version !== null);
    const candidates = [...preferences, null];
    const [texts, locales] = await Promise.all([
      Promise.all(
        present.map((version) =>
          Promise.all(candidates.map((locale) => service.servedText(version, locale))),
        ),
      ),
      this.localesOf(
        controller.id,
        present.map((version) => version.id),
      ),
    ]);
    return versions.map((version) => {
      if (version === null) return null;
      const offered = texts[present.indexOf(version)]!;
      const text = offered.find((served) => served !== null && served.match !== 'DEFAULT') ?? offered.at(-1);
      return text ? { version, text, locales: locales.get(version.id) ?? [] } : null;
    });
  }

  private async localesOf(
    controllerId: string,
    versionIds: readonly string[],
  ): Promise<Map<string, string[]>> {
    const byVersion = new Map<string, string[]>();
    if (versionIds.length === 0) return byVersion;
    const rows = await this.database.prisma.noticeTranslation.findMany({
      where: { versionId: { in: [...versionIds] }, version: { controllerId } },
      select: { versionId: true, locale: true },
      orderBy: [{ versionId: 'asc' }, { locale: 'asc' }],
    });
    for (const row of rows) {
      const list = byVersion.get(row.versionId) ?? [];
      list.push(row.locale);
      byVersion.set(row.versionId, list);
    }
    return byVersion;
  }

  private async diff(
    service: NoticeVersionService,
    noticeId: string,
    compare: { readonly from: number; readonly to: number },
  ): Promise<VersionDiff | null> {
    try {
      return await service.diff(noticeId, compare.from, compare.to);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }
}
