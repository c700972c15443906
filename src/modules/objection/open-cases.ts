import type { Prisma } from '../../generated/prisma/client.js';
import type { ObjectionDetails } from './objection.validation.js';

/** An objection as recorded: its response's idempotency key and what the person said with it. */
export interface ObjectionOpening {
  readonly idempotencyKey: string;
  readonly details: ObjectionDetails | null | undefined;
}

/**
 * Opens a case for each newly inserted OBJECTED response, in the transaction that inserted it,
 * as one statement: the case starts OPEN at the response's `occurredAt` with the person's grounds
 * and whether the objection is against direct marketing. Responses that were already there (a
 * retry) are not in `responseIds`, so a retry opens nothing.
 */
export async function openObjectionCases(
  tx: Prisma.TransactionClient,
  controllerId: string,
  responseIds: readonly string[],
  openings: readonly ObjectionOpening[],
): Promise<number> {
  if (responseIds.length === 0) return 0;
  return tx.$executeRaw`
    INSERT INTO "ObjectionCase" ("id", "controllerId", "responseId", "purposeId", "subjectId", "openedAt",
      "grounds", "directMarketing")
    SELECT gen_random_uuid(), r."controllerId", r."id", r."purposeId", r."subjectId", r."occurredAt",
      d.g, coalesce(d.m, false)
    FROM "Response" r
    LEFT JOIN unnest(
      ${openings.map((opening) => opening.idempotencyKey)}::text[],
      ${openings.map((opening) => opening.details?.grounds ?? null)}::text[],
      ${openings.map((opening) => opening.details?.directMarketing ?? null)}::boolean[]
    ) AS d(k, g, m) ON d.k = r."idempotencyKey"
    WHERE r."controllerId" = ${controllerId}::uuid AND r."id" = ANY(${[...responseIds]}::uuid[])
      AND r."kind" = 'OBJECTED'`;
}
