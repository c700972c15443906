import { randomUUID } from 'node:crypto';
import type { SqlDriverAdapter, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';

/**
 * A side channel for the one large parameter of a bulk statement.
 *
 * Prisma's raw-query path serialises every parameter to JSON and parses it back before the driver
 * adapter sees it. For the megabytes of a 5,000-row batch that costs several microseconds per row
 * (as bytes: base64 out, JSON out and in, base64 in). Instead the caller holds the bytes here and
 * passes a short token through Prisma; the adapter wrapper below swaps the token for the bytes
 * just before the driver runs the statement, in the same connection and transaction.
 *
 * Tokens are random and live only while the statement runs; a string that is not a held token,
 * whatever it looks like, passes through unchanged.
 */
const prefix = 'notarium:bulk-parameter:';
const held = new Map<string, Uint8Array>();

export async function withBulkParameter<T>(
  value: Uint8Array,
  run: (token: string) => Promise<T>,
): Promise<T> {
  const token = `${prefix}${randomUUID()}`;
  held.set(token, value);
  try {
    return await run(token);
  } finally {
    held.delete(token);
  }
}

function isToken(arg: unknown): arg is string {
  return typeof arg === 'string' && arg.startsWith(prefix) && held.has(arg);
}

function substitute(query: SqlQuery): SqlQuery {
  if (!query.args.some(isToken)) return query;
  return { ...query, args: query.args.map((arg) => (isToken(arg) ? held.get(arg) : arg)) };
}

function wrapQueries<Q extends SqlDriverAdapter | Transaction>(target: Q): Q {
  const queryRaw = target.queryRaw.bind(target);
  const executeRaw = target.executeRaw.bind(target);
  target.queryRaw = (query) => queryRaw(substitute(query));
  target.executeRaw = (query) => executeRaw(substitute(query));
  return target;
}

/** Lets held bulk parameters reach the driver, on the adapter and on every transaction it starts. */
export function passBulkParameters<A extends SqlDriverAdapter>(adapter: A): A {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (...args) => wrapQueries(await startTransaction(...args));
  return wrapQueries(adapter);
}
