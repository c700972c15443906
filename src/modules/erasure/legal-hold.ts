import { Prisma } from '../../generated/prisma/client.js';

/** The one rule: an open request (alias q) of the controller names the reference hash. */
function namesInOpenRequest(controllerId: Prisma.Sql, refHash: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`q."controllerId" = ${controllerId} AND q."closedAt" IS NULL
    AND ${refHash} = ANY(q."subjectRefHashes")`;
}

/**
 * The open regulator requests of the controller that name this person (by reference hash): while
 * one is open the person's records are on legal hold (GDPR Art. 17(3)(e)) — no erasure, no purge.
 * A request that names no one (every subject in its scope) holds no one: it would freeze every
 * erasure of the controller for as long as it is open (docs/erasure.md).
 */
export async function holdingRequests(
  tx: Prisma.TransactionClient,
  controllerId: string,
  refHash: string,
): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT q."id"::text FROM "RegulatorRequest" q
    WHERE ${namesInOpenRequest(Prisma.sql`${controllerId}::uuid`, Prisma.sql`${refHash}`)}
    ORDER BY q."createdAt", q."id"`;
  return rows.map((row) => row.id);
}

/** The same rule in SQL for the subject row `s`: true while an open request names it. */
export const subjectUnderLegalHold = Prisma.sql`EXISTS (
  SELECT 1 FROM "RegulatorRequest" q WHERE ${namesInOpenRequest(Prisma.sql`s."controllerId"`, Prisma.sql`s."refHash"`)})`;
