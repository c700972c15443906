import { sqlStateOf } from '../../db/prisma-errors.js';
import { ConflictError } from '../../domain/errors.js';
import type { Prisma, PrismaClient } from '../../generated/prisma/client.js';

/** Carries a write's answer out of the transaction callback; throwing it rolls the transaction back. */
class NothingAccepted<T> extends Error {
  constructor(readonly result: T) {
    super('The batch accepted no item; its writes are rolled back.');
  }
}

/**
 * Runs a bulk write in one transaction and commits it only when it accepted at least one item. A
 * batch whose items all turn out to be duplicates or conflicts leaves nothing behind — no
 * `NotificationBatch` row, no audit entry, no subject created on the way — and answers exactly as
 * if it had committed. Rolling back costs nothing on the usual path, where items are accepted.
 * A foreign key broken by a concurrent purge is a ConflictError, never an internal error.
 */
export async function commitIfAccepted<T>(
  prisma: PrismaClient,
  write: (tx: Prisma.TransactionClient) => Promise<T>,
  accepted: (result: T) => number,
  options: { readonly timeout: number; readonly maxWait: number },
): Promise<T> {
  try {
    return await prisma.$transaction(async (tx) => {
      const result = await write(tx);
      if (accepted(result) === 0) throw new NothingAccepted(result);
      return result;
    }, options);
  } catch (error) {
    if (error instanceof NothingAccepted) return error.result as T;
    // A row the batch refers to was deleted after the batch read it: the retention job purged a
    // person the batch found (docs/retention.md). Sent again, the records go to a new subject.
    if (sqlStateOf(error) === '23503')
      throw new ConflictError('A person in this batch was purged while it was written; send it again.');
    throw error;
  }
}
