import type { Prisma } from '../../generated/prisma/client.js';
import { uuidV7 } from '../../lib/uuid-v7.js';
import type { Change } from './change-events.js';

type Tx = Prisma.TransactionClient;

/**
 * The controller's write lock: the audit chain's per-controller advisory lock (every transaction
 * that changes the controller's data takes it to append its audit entry). Holding it until
 * commit makes the feed's sequence follow commit order (ADR 0041): the writer of sequence n+1
 * reads the maximum only after the writer of n has committed or rolled back.
 */
export async function lockControllerWrites(tx: Tx, controllerId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('notarium-audit:' || ${controllerId}))`;
}

/**
 * Appends one event to the controller's feed inside the caller's transaction and, in the same
 * statement, queues a webhook delivery for every enabled endpoint that wants its type (the
 * outbox). A change with a `dedupeKey` already in the feed is dropped. Returns the sequence, or
 * null when dropped.
 */
export async function emitChange(tx: Tx, change: Change, now = new Date()): Promise<number | null> {
  await lockControllerWrites(tx, change.controllerId);
  const at = now.toISOString();
  const rows = await tx.$queryRaw<{ sequence: number }[]>`
    WITH event AS (
      INSERT INTO "ChangeEvent"
        ("id", "controllerId", "sequence", "type", "occurredAt", "resourceType", "resourceId", "data", "dedupeKey")
      SELECT ${uuidV7(now.getTime())}::uuid, ${change.controllerId}::uuid, COALESCE(MAX("sequence"), 0) + 1,
             ${change.type}, ${at}::timestamptz, ${change.resourceType}, ${change.resourceId}::uuid,
             ${JSON.stringify(change.data)}::jsonb, ${change.dedupeKey ?? null}
      FROM "ChangeEvent" WHERE "controllerId" = ${change.controllerId}::uuid
      ON CONFLICT ("controllerId", "dedupeKey") DO NOTHING
      RETURNING "id", "sequence"
    ), queued AS (
      INSERT INTO "WebhookDelivery" ("id", "controllerId", "endpointId", "eventId", "nextAttemptAt", "createdAt")
      SELECT gen_random_uuid(), endpoint."controllerId", endpoint."id", event."id", ${at}::timestamptz, ${at}::timestamptz
      FROM event JOIN "WebhookEndpoint" endpoint
        ON endpoint."controllerId" = ${change.controllerId}::uuid AND endpoint."disabledAt" IS NULL
       AND (cardinality(endpoint."eventTypes") = 0 OR ${change.type} = ANY(endpoint."eventTypes"))
    )
    SELECT "sequence" FROM event`;
  return rows[0]?.sequence ?? null;
}
