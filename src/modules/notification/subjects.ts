import type { Prisma } from '../../generated/prisma/client.js';

export interface SubjectInput {
  readonly refHash: string;
  readonly jurisdiction: string | null;
  readonly locale: string | null;
}

/**
 * Creates missing subjects and returns the ID of every given one, set-based: one INSERT … SELECT
 * FROM json_to_recordset … ON CONFLICT DO NOTHING, then one SELECT for those that already existed.
 */
export async function ensureSubjects(
  tx: Prisma.TransactionClient,
  controllerId: string,
  subjects: readonly SubjectInput[],
): Promise<Map<string, string>> {
  const unique = [...new Map(subjects.map((subject) => [subject.refHash, subject])).values()];
  const ids = new Map<string, string>();
  if (unique.length === 0) return ids;
  // The rows travel as one JSON parameter: far cheaper to send than one array per column.
  const created = await tx.$queryRawUnsafe<{ id: string; refHash: string }[]>(
    `INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale")
     SELECT gen_random_uuid(), $1::uuid, t.r, t.j, t.l FROM json_to_recordset($2::json) AS t(r text, j text, l text)
     ON CONFLICT ("controllerId", "refHash") DO NOTHING
     RETURNING "id"::text, "refHash"`,
    controllerId,
    JSON.stringify(
      unique.map(({ refHash, jurisdiction, locale }) => ({ r: refHash, j: jurisdiction, l: locale })),
    ),
  );
  for (const row of created) ids.set(row.refHash, row.id);
  const missing = unique.filter((subject) => !ids.has(subject.refHash)).map((subject) => subject.refHash);
  if (missing.length > 0) {
    // One index probe per reference: with a large `= ANY(array)` the planner may scan all of the
    // controller's subjects instead.
    const existing = await tx.$queryRawUnsafe<{ id: string; refHash: string }[]>(
      `SELECT s."id"::text, s."refHash" FROM unnest($2::text[]) AS t(r)
       CROSS JOIN LATERAL (
         SELECT "id", "refHash" FROM "Subject" WHERE "controllerId" = $1::uuid AND "refHash" = t.r LIMIT 1
       ) s`,
      controllerId,
      missing,
    );
    for (const row of existing) ids.set(row.refHash, row.id);
  }
  return ids;
}
