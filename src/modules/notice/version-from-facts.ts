import { type NoticeVersion, Prisma } from '../../generated/prisma/client.js';

export type VersionQuery = { include?: Prisma.NoticeVersionInclude; select?: Prisma.NoticeVersionSelect };

/** A full version row with its notice's key, as `include: { notice: { select: { key: true } } }` returns it. */
export type VersionWithNoticeKey = NoticeVersion & { readonly notice: { readonly key: string } };

const noticeKeyOnly = JSON.stringify({ select: { key: true } });
const scalarColumns = new Set<string>(Object.values(Prisma.NoticeVersionScalarFieldEnum));

/**
 * Whether a version row already read (every column, and its notice's key) answers the selection
 * a client made of a `NoticeVersion` field, so that the field needs no statement of its own: the
 * selection names only columns (select mode) and at most the notice's key. It does not when the
 * selection asks for more (texts, purposes…): then the caller loads it with the query.
 */
export function answeredByVersionRow(query: VersionQuery): boolean {
  const answered = (field: string, value: unknown) =>
    field === 'notice' ? JSON.stringify(value) === noticeKeyOnly : scalarColumns.has(field) && value === true;
  if (query.select) return Object.entries(query.select).every(([field, value]) => answered(field, value));
  return Object.entries(query.include ?? {}).every(
    ([field, value]) => field === 'notice' && answered(field, value),
  );
}
