import type { PrismaClient } from '../generated/prisma/client.js';
import { isThenable } from '../lib/thenable.js';

/**
 * Prisma's lazy query promise as a class. Prisma Client builds each one as an object literal with a
 * `spec` getter; V8 keeps what such a per-object getter reaches (the query's cached promise, hence
 * its result) alive through every young-generation collection until the next full one, so every
 * result a request read was copied and promoted before it could be freed (ADR 0050). The class
 * keeps Prisma's behaviour: the query runs once, when first awaited, unless a batch transaction
 * asks for it (`requestTransaction`); `Symbol.toStringTag` is what Prisma checks in
 * `$transaction([...])`.
 */
type Run = (transaction?: unknown) => Promise<unknown> & { requestTransaction?: (t: unknown) => unknown };

const run = Symbol('run');

// Methods reach the query through a symbol, not a private field: Prisma's extensions call them
// through a proxy of the promise.
class LeanPrismaPromise {
  readonly [run]: Run;
  readonly spec: unknown;

  constructor(runQuery: Run, spec: unknown) {
    this[run] = runQuery;
    this.spec = spec;
  }

  // biome-ignore lint/suspicious/noThenProperty: a Prisma query promise is a thenable by design.
  then(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) {
    return this[run]().then(onFulfilled, onRejected);
  }

  catch(onRejected?: (reason: unknown) => unknown) {
    return this[run]().catch(onRejected);
  }

  finally(onFinally?: () => void) {
    return this[run]().finally(onFinally);
  }

  requestTransaction(transaction: unknown) {
    const started = this[run](transaction);
    return started.requestTransaction ? started.requestTransaction(transaction) : started;
  }

  get [Symbol.toStringTag]() {
    return 'PrismaPromise';
  }
}

const asPromise = (value: unknown) =>
  isThenable(value) ? (value as ReturnType<Run>) : Promise.resolve(value);

/** Prisma's factory (`createPrismaPromiseFactory`) with the class above; `bound` is a transaction or none. */
function leanFactory(bound?: { kind?: string }) {
  return (callback: (transaction?: unknown) => unknown, spec: unknown) => {
    let cached: ReturnType<Run> | undefined;
    const runQuery: Run = (transaction = bound) => {
      try {
        if (transaction === undefined || (transaction as { kind?: string } | null)?.kind === 'itx') {
          cached ??= asPromise(callback(transaction));
          return cached;
        }
        return asPromise(callback(transaction));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return new LeanPrismaPromise(runQuery, spec);
  };
}

/**
 * Gives `client` the class-based query promise. Leaves it unchanged when this Prisma version has no
 * `_createPrismaPromise` (test/db/lean-prisma-promise.test.ts then fails, so an upgrade notices).
 */
export function withLeanPrismaPromises(client: PrismaClient): PrismaClient {
  const internals = client as unknown as { _createPrismaPromise?: unknown };
  if (typeof internals._createPrismaPromise === 'function') internals._createPrismaPromise = leanFactory();
  return client;
}
