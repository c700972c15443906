import type { Prisma } from '../../generated/prisma/client.js';

export interface SubjectInput {
  readonly refHash: string;
  readonly jurisdiction: string | null;
  readonly locale: string | null;
}

/**
 * Creates missing subjects and returns the ID of every given one, set-based: one INSERT … SELECT
 * FROM unnest … ON CONFLICT DO NOTHING, then one SELECT for those that already existed.
 */
export async function ensureSubjects(
  tx: Prisma.TransactionClient,
  controllerId: string,
  subjects: readonly SubjectInput[],
): Promise<Map<string, string>> {
  const unique = [...new Map(subjects.map((subject) => [subject.refHash, subject])).values()];
  const ids = new Map<string, string>();
  if (unique.length === 0) return ids;
  const created = await tx.$queryRawUnsafe<{ id: string; refHash: string }[]>(
    `INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale")
     SELECT gen_random_uuid(), $1::uuid, r, j, l FROM unnest($2::text[], $3::text[], $4::text[]) AS t(r, j, l)
     ON CONFLICT ("controllerId", "refHash") DO NOTHING
     RETURNING "id"::text, "refHash"`,
    controllerId,
    unique.map((subject) => subject.refHash),
    unique.map((subject) => subject.jurisdiction),
    unique.map((subject) => subject.locale),
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
