import { PGlite } from '@electric-sql/pglite';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import type { Config } from '../config/env.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { type AdapterFactory, createPgliteAdapterFactory, createPostgresAdapterFactory } from './adapters.js';
import { type ConnectionStats, poolStats, StatementGauge } from './connection-stats.js';
import { lockDataDir } from './data-dir-lock.js';
import {
  type EmbeddedDatabaseFailedError,
  explainStartFailure,
  guardEmbeddedDatabase,
} from './embedded-health.js';
import { withLeanPrismaPromises } from './lean-prisma-promise.js';
import { withQueryStrategyByDefault } from './relation-load.js';

export interface Database {
  readonly kind: 'embedded' | 'postgres';
  readonly prisma: PrismaClient;
  readonly factory: AdapterFactory;
  /** True when a trivial query answers. */
  ping(): Promise<boolean>;
  /** The pool's connections (PostgreSQL) or the statements in flight (embedded), for the metrics. */
  connectionStats(): ConnectionStats;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Lets tests wrap the driver adapter, e.g. to count SQL statements. */
  wrapFactory?: (factory: SqlDriverAdapterFactory) => SqlDriverAdapterFactory;
  /** Embedded only: PGlite cannot continue (e.g. a PANIC on a full disk); the process should exit. */
  onUnrecoverable?: (error: EmbeddedDatabaseFailedError) => void;
  /** PostgreSQL: the pool behind the factory, whose counts the metrics report. */
  pool?: pg.Pool;
  /** PostgreSQL: an idle pooled connection failed (the server restarted, an administrator ended it). */
  onIdleConnectionError?: (error: Error) => void;
}

/**
 * A pool for `url`. With `statementTimeoutMs` (> 0) every connection has that
 * `statement_timeout`: the server stops a statement that runs longer (SQLSTATE 57014) — also one
 * whose request was abandoned, or whose process stopped. Work that legitimately needs longer
 * raises it for its own transaction with `SET LOCAL statement_timeout`.
 *
 * Every connection runs with `jit = off` (ADR 0047): once a table's size is known to the planner
 * (after a VACUUM, before any ANALYZE), a lookup's estimated cost passes `jit_above_cost`, and
 * compiling it took 30–90 ms for a statement that runs in 1–3 ms.
 */
export function poolFromUrl(
  url: string,
  max: number,
  statementTimeoutMs = 0,
  onIdleConnectionError: (error: Error) => void = () => {},
): pg.Pool {
  const parsed = new URL(url);
  const pool = new pg.Pool({
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 5432,
    user: decodeURIComponent(parsed.username) || undefined,
    password: decodeURIComponent(parsed.password) || undefined,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined,
    ssl: parsed.searchParams.get('sslmode') === 'require' ? { rejectUnauthorized: false } : undefined,
    max,
    connectionTimeoutMillis: 5_000,
    options: '-c jit=off',
    ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
  });
  // pg-pool emits 'error' when a connection fails while idle in the pool (the server restarted, an
  // administrator or `DROP DATABASE … WITH (FORCE)` ended it). It has already discarded that
  // connection and the next checkout opens a new one; unheard, the event would stop the process.
  pool.on('error', onIdleConnectionError);
  return pool;
}

export function databaseFromFactory(
  kind: Database['kind'],
  factory: AdapterFactory,
  release: () => Promise<void>,
  options: DatabaseOptions = {},
): Database {
  const gauge = kind === 'embedded' ? new StatementGauge() : null;
  const counted = gauge ? gauge.wrap(factory) : factory;
  const adapter = options.wrapFactory ? options.wrapFactory(counted) : counted;
  const { pool } = options;
  const prisma = withQueryStrategyByDefault(withLeanPrismaPromises(new PrismaClient({ adapter })));
  let closed = false;
  return {
    kind,
    prisma,
    factory,
    async ping() {
      try {
        await prisma.$queryRaw`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    },
    connectionStats: () =>
      pool ? poolStats(pool) : (gauge?.stats() ?? { pool: null, statementsInFlight: null }),
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await release();
    },
  };
}

/** Opens the embedded PGlite database (file-backed, locked) or a PostgreSQL pool the app owns. */
export async function openDatabase(
  config: Config['database'],
  options: DatabaseOptions = {},
): Promise<Database> {
  if (config.kind === 'postgres') {
    const pool = poolFromUrl(
      config.url,
      config.poolSize,
      config.statementTimeoutMs,
      options.onIdleConnectionError,
    );
    const factory = createPostgresAdapterFactory(pool, config.preparedStatements);
    return databaseFromFactory('postgres', factory, () => pool.end(), { ...options, pool });
  }
  const unlock = lockDataDir(config.dataDir);
  try {
    const postgresqlconf =
      config.sharedBuffersMb === undefined ? undefined : `shared_buffers = ${config.sharedBuffersMb}MB`;
    const pglite = await PGlite.create({ dataDir: config.dataDir, postgresqlconf }).catch(
      (error: unknown) => {
        throw explainStartFailure(error, config.dataDir);
      },
    );
    guardEmbeddedDatabase(pglite, { dataDir: config.dataDir, onUnrecoverable: options.onUnrecoverable });
    return databaseFromFactory(
      'embedded',
      createPgliteAdapterFactory(pglite),
      async () => {
        await pglite.close();
        unlock();
      },
      options,
    );
  } catch (error) {
    unlock();
    throw error;
  }
}
