import { jsonRows } from '../../db/json-rows.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { uuidV7 } from '../../lib/uuid-v7.js';

export interface SubjectInput {
  readonly refHash: string;
  readonly jurisdiction: string | null;
  readonly locale: string | null;
}

/**
 * Creates missing subjects and returns the ID of every given one, set-based: one INSERT … SELECT
 * FROM json_to_recordset … ON CONFLICT DO NOTHING and, only when some already existed, one SELECT
 * of all their IDs.
 */
export async function ensureSubjects(
  tx: Prisma.TransactionClient,
  controllerId: string,
  subjects: readonly SubjectInput[],
): Promise<Map<string, string>> {
  const unique = [...new Map(subjects.map((subject) => [subject.refHash, subject])).values()];
  const ids = new Map<string, string>();
  if (unique.length === 0) return ids;
  // New subjects get time-ordered IDs (cheap appends to the primary key); the rows travel as one
  // parameter (jsonRows).
  const proposed = unique.map((subject) => ({ id: uuidV7(), subject }));
  const created = await tx.$executeRawUnsafe(
    `INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale")
     SELECT t.i, $1::uuid, t.r, t.j, t.l
     FROM json_to_recordset(convert_from($2::bytea, 'UTF8')::json) AS t(i uuid, r text, j text, l text)
     ON CONFLICT ("controllerId", "refHash") DO NOTHING`,
    controllerId,
    jsonRows(
      proposed.map(({ id, subject }) => ({
        i: id,
        r: subject.refHash,
        j: subject.jurisdiction,
        l: subject.locale,
      })),
    ),
  );
  // All new (the usual first notification): the proposed IDs are theirs, nothing to read back.
  if (created === proposed.length) {
    for (const { id, subject } of proposed) ids.set(subject.refHash, id);
    return ids;
  }
  // One index probe per reference: with a large `= ANY(array)` the planner may scan all of the
  // controller's subjects instead.
  const existing = await tx.$queryRawUnsafe<{ id: string; refHash: string }[]>(
    `SELECT s."id"::text, s."refHash" FROM unnest($2::text[]) AS t(r)
     CROSS JOIN LATERAL (
       SELECT "id", "refHash" FROM "Subject" WHERE "controllerId" = $1::uuid AND "refHash" = t.r LIMIT 1
     ) s`,
    controllerId,
    unique.map((subject) => subject.refHash),
  );
  for (const row of existing) ids.set(row.refHash, row.id);
  return ids;
}
