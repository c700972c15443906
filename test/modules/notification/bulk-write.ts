import type { PrismaClient } from '../../../src/generated/prisma/client.js';

/** How many rows a controller has in every table a bulk write can touch: to show that a call wrote nothing. */
export async function writeCounts(prisma: PrismaClient, controllerId: string) {
  const where = { controllerId };
  const [batches, auditEntries, subjects, notifications, events, milestones, responses] = await Promise.all([
    prisma.notificationBatch.count({ where }),
    prisma.auditEntry.count({ where }),
    prisma.subject.count({ where }),
    prisma.notification.count({ where }),
    prisma.notificationEvent.count({ where }),
    prisma.notificationMilestone.count({ where }),
    prisma.response.count({ where }),
  ]);
  return { batches, auditEntries, subjects, notifications, events, milestones, responses };
}

/** A mutation's result that must be its payload type, not one of its error types. */
export function payloadOf<T extends { __typename?: string }, N extends string>(
  result: T,
  typename: N,
): Extract<T, { __typename?: N }> {
  if (result.__typename !== typename) throw new Error(`${typename} expected, got ${result.__typename}`);
  return result as Extract<T, { __typename?: N }>;
}
