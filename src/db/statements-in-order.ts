import type { SqlDriverAdapter, Transaction } from '@prisma/driver-adapter-utils';

/**
 * Runs a transaction's statements one after another on its connection.
 *
 * Prisma's query interpreter sends independent statements of one interactive transaction at the
 * same time. node-postgres queues them on the transaction's connection and runs them in that
 * order, but pg 8 (8.23.0 here) warns in every process that does so ("Calling client.query() when
 * the client is already executing a query"), and pg 9 refuses it. This queue keeps the same order
 * (the order the statements were sent in) and hands the driver the next statement only when the
 * one before has settled, failed or not; a statement sent while none is running goes at once.
 * Commit, rollback and savepoints wait their turn too. ADR 0054.
 */
export function statementsInOrder<T extends Transaction>(transaction: T): T {
  // `last` settles once every call so far has settled; `pending` counts the calls not yet settled.
  let last: Promise<void> = Promise.resolve();
  let pending = 0;
  const settled = () => {
    pending--;
  };
  const inTurn = <R>(run: () => Promise<R>): Promise<R> => {
    const result = pending === 0 ? run() : last.then(run);
    pending++;
    last = result.then(settled, settled);
    return result;
  };
  const queue = <K extends keyof T>(name: K) => {
    const method = transaction[name];
    if (typeof method !== 'function') return;
    const bound = (method as (...args: unknown[]) => Promise<unknown>).bind(transaction);
    transaction[name] = ((...args: unknown[]) => inTurn(() => bound(...args))) as T[K];
  };
  for (const name of [
    'queryRaw',
    'executeRaw',
    'commit',
    'rollback',
    'createSavepoint',
    'rollbackToSavepoint',
    'releaseSavepoint',
  ] as const) {
    queue(name);
  }
  return transaction;
}

/** Gives every transaction `adapter` starts one statement at a time (statementsInOrder). */
export function transactionsInOrder<A extends SqlDriverAdapter>(adapter: A): A {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => statementsInOrder(await startTransaction(...args));
  return adapter;
}
