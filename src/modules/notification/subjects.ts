import { withBulkParameter } from '../../db/bulk-parameters.js';
import { jsonRows } from '../../db/json-rows.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { uuidV7 } from '../../lib/uuid-v7.js';

type Tx = Prisma.TransactionClient;

export interface SubjectInput {
  readonly refHash: string;
  readonly jurisdiction: string | null;
  readonly locale: string | null;
}

/** How many references a batch's first look checks to guess whether its people are known. */
const sampleSize = 16;

/**
 * Returns the ID of every given subject, creating the missing ones, set-based. Two shapes of
 * batch are common: a first notice to new people (all missing) and a later version to the same
 * people (all known). A look at a few references picks the cheaper order; either order is
 * correct for any mix, concurrent writers included.
 */
export async function ensureSubjects(
  tx: Tx,
  controllerId: string,
  subjects: readonly SubjectInput[],
): Promise<Map<string, string>> {
  const unique = [...new Map(subjects.map((subject) => [subject.refHash, subject])).values()];
  if (unique.length === 0) return new Map();
  const sample = await lookUp(tx, controllerId, unique.slice(0, sampleSize));
  if (sample.size < Math.min(sampleSize, unique.length)) return createThenLookUp(tx, controllerId, unique);
  const ids = await lookUp(tx, controllerId, unique);
  const missing = unique.filter((subject) => !ids.has(subject.refHash));
  if (missing.length === 0) return ids;
  for (const [refHash, id] of await createThenLookUp(tx, controllerId, missing)) ids.set(refHash, id);
  return ids;
}

/**
 * INSERT … ON CONFLICT DO NOTHING with time-ordered IDs (cheap appends to the primary key). When
 * every row went in, the proposed IDs are theirs and nothing is read back.
 */
async function createThenLookUp(
  tx: Tx,
  controllerId: string,
  subjects: readonly SubjectInput[],
): Promise<Map<string, string>> {
  // In one order for every batch, so that two batches creating the same people cannot deadlock.
  const ordered = [...subjects].sort((a, b) => (a.refHash < b.refHash ? -1 : a.refHash > b.refHash ? 1 : 0));
  const proposed = ordered.map((subject) => ({ id: uuidV7(), subject }));
  const rows = jsonRows(
    proposed.map(({ id, subject }) => ({
      i: id,
      r: subject.refHash,
      j: subject.jurisdiction,
      l: subject.locale,
    })),
  );
  const created = await withBulkParameter(rows, (token) =>
    tx.$executeRawUnsafe(
      `INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale")
       SELECT t.i, $1::uuid, t.r, t.j, t.l
       FROM json_to_recordset(convert_from($2::bytea, 'UTF8')::json) AS t(i uuid, r text, j text, l text)
       ON CONFLICT ("controllerId", "refHash") DO NOTHING`,
      controllerId,
      token,
    ),
  );
  if (created === proposed.length) return new Map(proposed.map(({ id, subject }) => [subject.refHash, id]));
  return lookUp(tx, controllerId, subjects);
}

/**
 * The IDs of those that exist, in one row: an index probe per reference (a large `= ANY(array)`
 * may be planned as a scan of all the controller's subjects), and one string instead of a row
 * per subject, which is much cheaper to read back through the driver and Prisma.
 */
async function lookUp(
  tx: Tx,
  controllerId: string,
  subjects: readonly SubjectInput[],
): Promise<Map<string, string>> {
  const [row] = await withBulkParameter(jsonRows(subjects.map((subject) => subject.refHash)), (token) =>
    tx.$queryRawUnsafe<{ ids: string | null }[]>(
      `SELECT string_agg(COALESCE(s."id"::text, ''), ',' ORDER BY t.n) AS ids
       FROM json_array_elements_text(convert_from($2::bytea, 'UTF8')::json) WITH ORDINALITY AS t(r, n)
       LEFT JOIN LATERAL (
         SELECT "id" FROM "Subject" WHERE "controllerId" = $1::uuid AND "refHash" = t.r LIMIT 1
       ) s ON true`,
      controllerId,
      token,
    ),
  );
  const ids = new Map<string, string>();
  const found = row?.ids?.split(',') ?? [];
  for (const [index, subject] of subjects.entries()) {
    const id = found[index];
    if (id) ids.set(subject.refHash, id);
  }
  return ids;
}
