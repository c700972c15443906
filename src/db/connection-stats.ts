import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from '@prisma/driver-adapter-utils';
import type pg from 'pg';

/** What the database's connections are doing now, for the metrics (src/metrics/). */
export interface ConnectionStats {
  /** PostgreSQL: the `pg.Pool`'s connections, open, idle, and requests waiting for one. */
  readonly pool: { readonly total: number; readonly idle: number; readonly waiting: number } | null;
  /** Embedded: statements sent and not yet answered. PGlite runs one at a time; the rest are queued. */
  readonly statementsInFlight: number | null;
}

export function poolStats(pool: pg.Pool): ConnectionStats {
  return {
    pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
    statementsInFlight: null,
  };
}

/** Counts the statements in flight through an adapter factory (its connections and their transactions). */
export class StatementGauge {
  inFlight = 0;

  stats(): ConnectionStats {
    return { pool: null, statementsInFlight: this.inFlight };
  }

  wrap(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
    const gauge = this;
    const counted = <Q extends SqlDriverAdapter | Transaction>(target: Q): Q =>
      new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          if (property === 'queryRaw' || property === 'executeRaw') {
            return async (query: SqlQuery) => {
              gauge.inFlight += 1;
              try {
                return await value.call(object, query);
              } finally {
                gauge.inFlight -= 1;
              }
            };
          }
          if (property === 'startTransaction') {
            return async (...args: unknown[]) => counted(await value.apply(object, args));
          }
          return value.bind(object);
        },
      });
    return new Proxy(factory, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (property === 'connect' && typeof value === 'function') {
          return async () => counted(await value.call(object));
        }
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
  }
}
