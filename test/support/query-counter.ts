import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from '@prisma/driver-adapter-utils';

/** Counts the SQL statements Prisma sends through the driver adapter, for N+1 assertions. */
export class QueryCounter {
  readonly statements: string[] = [];
  /** Rows each recorded statement returned, by index into `statements` (null for executeRaw). */
  readonly rows: (number | null)[] = [];
  private recording = false;

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
              const result: SqlResultSet = await value.call(object, query);
              if (index >= 0) counter.rows[index] = result.rows.length;
              return result;
            };
          }
          if (property === 'executeRaw') {
            return (query: SqlQuery) => {
              counter.record(query);
              return value.call(object, query);
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
