import { withBulkParameter } from '../../db/bulk-parameters.js';
import { jsonParameter, jsonRows } from '../../db/json-rows.js';
import { ConflictError } from '../../domain/errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { compareCodeUnits } from '../../lib/canonical-json.js';
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
): Promise<SubjectIds> {
  const unique = [...new Map(subjects.map((subject) => [subject.refHash, subject])).values()];
  if (unique.length === 0) return { byRef: new Map(), known: [] };
  const sample = await lookUp(tx, controllerId, unique.slice(0, sampleSize));
  if (sample.size < Math.min(sampleSize, unique.length)) return createThenLookUp(tx, controllerId, unique);
  const byRef = await lookUp(tx, controllerId, unique);
  const known = [...byRef.values()];
  const missing = unique.filter((subject) => !byRef.has(subject.refHash));
  if (missing.length === 0) return { byRef, known };
  const created = await createThenLookUp(tx, controllerId, missing);
  for (const [refHash, id] of created.byRef) byRef.set(refHash, id);
  return { byRef, known: [...known, ...created.known] };
}

/** Every given subject's ID by reference hash, and the IDs of those that existed before. */
export interface SubjectIds {
  readonly byRef: ReadonlyMap<string, string>;
  readonly known: readonly string[];
}

/**
 * Call after writing the rows that reference known subjects: their foreign-key checks now hold
 * those subjects (FOR KEY SHARE) until commit, so no erasure can complete in between. An erasure
 * that committed after the subjects were looked up is seen here, and the batch is refused rather
 * than attach new records to a subject no longer linked to the person. (Erasure locks the
 * subject before it reads its records, so it also sees every batch that committed first.)
 */
export async function refuseErasedSubjects(tx: Tx, known: readonly string[]): Promise<void> {
  if (known.length === 0) return;
  const [row] = await withBulkParameter(
    jsonRows(known),
    (token) =>
      tx.$queryRaw<{ erased: boolean }[]>`
      SELECT EXISTS (
        SELECT 1 FROM json_array_elements_text(${jsonParameter(token)}) AS t(id)
        JOIN "Subject" s ON s."id" = t.id::uuid
        WHERE s."erasedAt" IS NOT NULL
      ) AS erased`,
  );
  if (row?.erased)
    throw new ConflictError('A person in this batch was erased while it was written; send it again.');
}

/**
 * INSERT … ON CONFLICT DO NOTHING with time-ordered IDs (cheap appends to the primary key). When
 * every row went in, the proposed IDs are theirs and nothing is read back.
 */
async function createThenLookUp(
  tx: Tx,
  controllerId: string,
  subjects: readonly SubjectInput[],
): Promise<SubjectIds> {
  // In one order for every batch, so that two batches creating the same people cannot deadlock.
  const ordered = [...subjects].sort((a, b) => compareCodeUnits(a.refHash, b.refHash));
  const proposed = ordered.map((subject) => ({ id: uuidV7(), subject }));
  const rows = jsonRows(
    proposed.map(({ id, subject }) => ({
      i: id,
      r: subject.refHash,
      j: subject.jurisdiction,
      l: subject.locale,
    })),
  );
  const created = await withBulkParameter(
    rows,
    (token) =>
      tx.$executeRaw`
      INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale")
      SELECT t.i, ${controllerId}::uuid, t.r, t.j, t.l
      FROM json_to_recordset(${jsonParameter(token)}) AS t(i uuid, r text, j text, l text)
      ON CONFLICT ("controllerId", "refHash") DO NOTHING`,
  );
  if (created === proposed.length)
    return { byRef: new Map(proposed.map(({ id, subject }) => [subject.refHash, id])), known: [] };
  const proposedIds = new Set(proposed.map(({ id }) => id));
  const byRef = await lookUp(tx, controllerId, subjects);
  return { byRef, known: [...byRef.values()].filter((id) => !proposedIds.has(id)) };
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
  const [row] = await withBulkParameter(
    jsonRows(subjects.map((subject) => subject.refHash)),
    (token) =>
      tx.$queryRaw<{ ids: string | null }[]>`
      SELECT string_agg(COALESCE(s."id"::text, ''), ',' ORDER BY t.n) AS ids
      FROM json_array_elements_text(${jsonParameter(token)}) WITH ORDINALITY AS t(r, n)
      LEFT JOIN LATERAL (
        SELECT "id" FROM "Subject" WHERE "controllerId" = ${controllerId}::uuid AND "refHash" = t.r LIMIT 1
      ) s ON true`,
  );
  const ids = new Map<string, string>();
  const found = row?.ids?.split(',') ?? [];
  for (const [index, subject] of subjects.entries()) {
    const id = found[index];
    if (id) ids.set(subject.refHash, id);
  }
  return ids;
}
