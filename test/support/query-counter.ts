import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from '@prisma/driver-adapter-utils';

/** Counts the SQL statements Prisma sends through the driver adapter, for N+1 assertions. */
export class QueryCounter {
  readonly statements: string[] = [];
  private recording = false;

  /** Runs `work` and returns how many statements it issued, with their SQL. */
  async measure<T>(work: () => Promise<T>): Promise<{ result: T; count: number; statements: string[] }> {
    const start = this.statements.length;
    this.recording = true;
    try {
      const result = await work();
      const statements = this.statements.slice(start);
      return { result, count: statements.length, statements };
    } finally {
      this.recording = false;
    }
  }

  record(query: SqlQuery): void {
    if (this.recording) this.statements.push(query.sql);
  }

  wrap(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
    const counter = this;
    const countQueries = <Q extends SqlDriverAdapter | Transaction>(target: Q): Q =>
      new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          if (property === 'queryRaw' || property === 'executeRaw') {
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
