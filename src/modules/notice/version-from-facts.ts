import { columnList } from '../../db/raw-sql.js';
import { type NoticeVersion, Prisma } from '../../generated/prisma/client.js';

export type VersionQuery = { include?: Prisma.NoticeVersionInclude; select?: Prisma.NoticeVersionSelect };

/** A full version row with its notice's key, as `include: { notice: { select: { key: true } } }` returns it. */
export type VersionWithNoticeKey = NoticeVersion & { readonly notice: { readonly key: string } };

/**
 * A version row as the lookup statements read it: every column but the canonical form, which is
 * as long as the texts and purposes together and which a lookup's answer seldom shows.
 */
export type VersionFromFacts = Omit<NoticeVersion, 'canonicalForm'>;

const noticeKeyOnly = JSON.stringify({ select: { key: true } });
const factsColumnList = Object.values(Prisma.NoticeVersionScalarFieldEnum).filter(
  (column) => column !== 'canonicalForm',
);
const factsColumns = new Set<string>(factsColumnList);
/** Built once per alias: the lookup statements name two, and the list never changes. */
const factsColumnsByAlias = new Map<string, Prisma.Sql>();

/**
 * The columns of `VersionFromFacts`, of the `NoticeVersion` row named `alias`, for a lookup
 * statement's select list. Listed rather than `to_jsonb(v) - 'canonicalForm'`: that builds the
 * whole row first, decompressing and converting the canonical form of every version it reads.
 */
export function versionFactsColumns(alias: string): Prisma.Sql {
  let columns = factsColumnsByAlias.get(alias);
  if (columns === undefined) {
    columns = columnList(alias, factsColumnList);
    factsColumnsByAlias.set(alias, columns);
  }
  return columns;
}

/**
 * Whether a version row a lookup statement read (`VersionFromFacts`, and its notice's key) answers
 * the selection a client made of a `NoticeVersion` field, so that the field needs no statement of
 * its own: the selection names only columns the row has (select mode) and at most the notice's
 * key. It does not when the selection asks for more (the canonical form, texts, purposes…), nor
 * in include mode, which means every column: then the caller loads it with the query.
 */
export function answeredByVersionRow(query: VersionQuery): boolean {
  if (!query.select) return false;
  return Object.entries(query.select).every(([field, value]) =>
    field === 'notice' ? JSON.stringify(value) === noticeKeyOnly : factsColumns.has(field) && value === true,
  );
}

/** The row a lookup read, as the `NoticeVersion` field it answers returns it (`answeredByVersionRow`). */
export function asAnsweredVersion(row: VersionFromFacts, noticeKey: string): VersionWithNoticeKey {
  // The selection names no canonical form (answeredByVersionRow), so nothing reads its absence.
  return { ...row, notice: { key: noticeKey } } as VersionWithNoticeKey;
}
