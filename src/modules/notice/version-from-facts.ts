import type { NoticeVersion, Prisma } from '../../generated/prisma/client.js';

export type VersionQuery = { include?: Prisma.NoticeVersionInclude; select?: Prisma.NoticeVersionSelect };

/** A full version row with its notice's key, as `include: { notice: { select: { key: true } } }` returns it. */
export type VersionWithNoticeKey = NoticeVersion & { readonly notice: { readonly key: string } };

const noticeKeyOnly = JSON.stringify({ notice: { select: { key: true } } });

/**
 * Whether a version row already read (every column, and its notice's key) answers the selection
 * a client made of a `NoticeVersion` field, so that the field needs no statement of its own. It
 * does not when the selection asks for more (texts, purposes…): then the caller loads it with
 * the query.
 */
export function answeredByVersionRow(query: VersionQuery): boolean {
  if (query.select) return false;
  return !query.include || JSON.stringify(query.include) === noticeKeyOnly;
}
