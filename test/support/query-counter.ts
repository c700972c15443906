import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';

/** A span of time, in `performance.now()` milliseconds. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Milliseconds that `a` and `b` have in common. */
export function overlap(a: Span, b: Span): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

/**
 * Counts the SQL statements Prisma sends through the driver adapter, for N+1 assertions; with
 * `timing` on, also records when each statement was out (`spans`), for benches.
 */
export class QueryCounter {
  readonly statements: string[] = [];
  /** Rows each recorded statement returned, by index into `statements` (null for executeRaw). */
  readonly rows: (number | null)[] = [];
  /** When each statement was out, recording or not, while `timing` is on. */
  readonly spans: Span[] = [];
  timing = false;
  private recording = false;

  /**
   * Milliseconds of statement time inside `within`, less the parts of it in `excluded` (garbage
   * collection pauses: a pause while a statement is out delays reading its answer, and belongs to
   * the pause, not to the database).
   */
  timeWithin(within: Span, excluded: readonly Span[] = []): number {
    let total = 0;
    for (const span of this.spans) {
      const start = Math.max(span.start, within.start);
      const end = Math.min(span.end, within.end);
      if (end <= start) continue;
      total += end - start;
      for (const pause of excluded) total -= overlap({ start, end }, pause);
    }
    return total;
  }

  private async timed<T>(run: () => Promise<T>): Promise<T> {
    if (!this.timing) return run();
    const start = performance.now();
    try {
      return await run();
    } finally {
      this.spans.push({ start, end: performance.now() });
    }
  }

  /** Runs `work` and returns how many statements it issued, with their SQL. */
  async measure<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; count: number; statements: string[]; rows: (number | null)[] }> {
    const start = this.statements.length;
    this.recording = true;
    try {
      const result = await work();
      const statements = this.statements.slice(start);
      return { result, count: statements.length, statements, rows: this.rows.slice(start) };
    } finally {
      this.recording = false;
    }
  }

  /** The statements `work` issued, without the API-key lookup (which the app caches in production). */
  async statementsBeyondKeyLookup(work: () => Promise<unknown>): Promise<string[]> {
    const { statements } = await this.measure(work);
    return statements.filter((sql) => !sql.includes('"ApiKey"'));
  }

  /** Returns the index the statement was recorded at, or -1 when not recording. */
  record(query: SqlQuery): number {
    if (!this.recording) return -1;
    this.rows.push(null);
    return this.statements.push(query.sql) - 1;
  }

  wrap(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
    const counter = this;
    const countQueries = <Q extends SqlDriverAdapter | Transaction>(target: Q): Q =>
      new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          if (property === 'queryRaw') {
            return async (query: SqlQuery) => {
              const index = counter.record(query);
              const result: SqlResultSet = await counter.timed(() => value.call(object, query));
              if (index >= 0) counter.rows[index] = result.rows.length;
              return result;
            };
          }
          if (property === 'executeRaw') {
            return (query: SqlQuery) => {
              counter.record(query);
              return counter.timed(() => value.call(object, query));
            };
          }
          if (property === 'startTransaction') {
            return async (...args: unknown[]) => countQueries(await value.apply(object, args));
          }
          return value.bind(object);
        },
      });
    return new Proxy(factory, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (property === 'connect' && typeof value === 'function') {
          return async () => countQueries(await value.call(object));
        }
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
  }
}
