import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.js';
import type { NoticeChangedEvent, NoticePubSub } from '../modules/notice/notice.events.js';

/** One cached answer to a trusted-document GET: the exact bytes served, and until when. */
export interface CachedRead {
  readonly body: string;
  readonly contentType: string;
  readonly etag: string;
  /** Epoch milliseconds after which the entry is not served. */
  readonly expiresAt: number;
}

export interface NoticeReadCacheOptions {
  /** The longest an entry lives when no event removes it first (a Redis outage drops events). */
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  /** Called after a notice's entries were dropped: tests wait on it instead of sleeping. */
  readonly onInvalidate?: (event: NoticeChangedEvent) => void;
}

export const defaultReadCacheTtlMs = 60_000;
const defaultMaxEntries = 10_000;

/** Entries are grouped per controller and notice: the unit that publish, retire and archive change. */
export function noticeTag(controllerId: string, noticeKey: string): string {
  return `${controllerId}:${noticeKey}`;
}

/**
 * The in-memory response cache of the frontend's notice reads. Keys already name the controller
 * and role (see conditional-get.ts), so entries are never shared across tenants or roles.
 *
 * A read that was running while its notice changed must not store its (possibly old) answer:
 * each notice has a generation, bumped by every invalidation; `store` refuses an entry computed
 * under an older generation.
 */
export class NoticeReadCache {
  private readonly entries = new Map<string, CachedRead & { readonly tag: string }>();
  private readonly keysByTag = new Map<string, Set<string>>();
  private readonly generations = new Map<string, number>();
  readonly ttlMs: number;
  /** Names this cache in the events it sends, so that it skips them when they come back. */
  readonly origin = randomUUID();
  private readonly maxEntries: number;

  constructor(private readonly options: NoticeReadCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? defaultReadCacheTtlMs;
    this.maxEntries = options.maxEntries ?? defaultMaxEntries;
  }

  get(key: string, now = Date.now()): CachedRead | null {
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt > now) return entry;
    this.remove(key);
    return null;
  }

  generation(tag: string): number {
    return this.generations.get(tag) ?? 0;
  }

  /** Stores unless the notice changed since `generation` was read; true when stored. */
  store(key: string, tag: string, generation: number, entry: CachedRead): boolean {
    if (this.generation(tag) !== generation) return false;
    this.remove(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.remove(oldest.value);
    }
    this.entries.set(key, { ...entry, tag });
    let keys = this.keysByTag.get(tag);
    if (keys === undefined) {
      keys = new Set();
      this.keysByTag.set(tag, keys);
    }
    keys.add(key);
    return true;
  }

  invalidate(event: NoticeChangedEvent): void {
    if (event.origin === this.origin) return; // applied when it was sent
    const tag = noticeTag(event.controllerId, event.noticeKey);
    this.generations.set(tag, this.generation(tag) + 1);
    for (const key of this.keysByTag.get(tag) ?? []) this.entries.delete(key);
    this.keysByTag.delete(tag);
    this.options.onInvalidate?.(event);
  }

  get size(): number {
    return this.entries.size;
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    const keys = this.keysByTag.get(entry.tag);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByTag.delete(entry.tag);
  }
}

/**
 * The bus the services publish on, with `noticeChanged` also applied to this process's cache at
 * once (a later read in this process never sees the old answer, even while the event travels
 * through Redis). Events from other processes arrive through `listenForChanges`.
 */
export function invalidatingLocally(pubsub: NoticePubSub, cache: NoticeReadCache): NoticePubSub {
  return {
    subscribe: pubsub.subscribe.bind(pubsub),
    publish: ((routingKey: string, ...args: unknown[]) => {
      const send = pubsub.publish as (key: string, ...rest: unknown[]) => void;
      if (routingKey !== 'noticeChanged') return send(routingKey, ...args);
      const event = args[0] as NoticeChangedEvent;
      cache.invalidate(event);
      send(routingKey, { ...event, origin: cache.origin });
    }) as NoticePubSub['publish'],
  };
}

/** Applies every `noticeChanged` event on the bus (from any process) to the cache, for the app's lifetime. */
export function listenForChanges(pubsub: NoticePubSub, cache: NoticeReadCache): void {
  void (async () => {
    for await (const event of pubsub.subscribe('noticeChanged')) {
      if (event !== null) cache.invalidate(event);
    }
  })();
}

/**
 * Until when an answer about a notice, computed from `since` on, stays right without a write:
 * the next instant a published version takes effect (the in-force and upcoming versions change
 * then). Null when the notice does not exist (a later `createNotice` sends no event).
 */
export async function unchangedUntil(
  database: Database,
  controllerId: string,
  noticeKey: string,
  since: Date,
): Promise<{ until: number } | null> {
  const notice = await database.prisma.notice.findUnique({
    where: { controllerId_key: { controllerId, key: noticeKey } },
    select: {
      versions: {
        where: { status: 'PUBLISHED', effectiveFrom: { gt: since } },
        orderBy: { effectiveFrom: 'asc' },
        take: 1,
        select: { effectiveFrom: true },
      },
    },
  });
  if (notice === null) return null;
  return { until: notice.versions[0]?.effectiveFrom.getTime() ?? Number.POSITIVE_INFINITY };
}
