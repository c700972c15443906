import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { passBulkParameters } from './bulk-parameters.js';
import { defaultPreparedStatements, statementNamer } from './statement-names.js';
import { transactionsInOrder } from './statements-in-order.js';

export interface MigrationSession {
  readonly factory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

/** A factory PrismaClient accepts, which can also hand the schema engine a session of its own. */
export interface AdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  openMigrationSession(): Promise<MigrationSession>;
}

export function hasMigrationSession(
  factory: SqlMigrationAwareDriverAdapterFactory,
): factory is AdapterFactory {
  return typeof (factory as Partial<AdapterFactory>).openMigrationSession === 'function';
}

interface PostgresErrorFields {
  code: string;
  severity: string;
  message: string;
  detail?: string;
  column?: string;
  hint?: string;
}

function isPostgresError(error: unknown): error is PostgresErrorFields {
  const fields = error as Partial<PostgresErrorFields> | null;
  return (
    typeof fields?.code === 'string' &&
    typeof fields.severity === 'string' &&
    typeof fields.message === 'string'
  );
}

// The engine records `kind: 'postgres'` errors in _prisma_migrations.logs like the native engine does.
function toDriverAdapterError(error: unknown): unknown {
  if (!isPostgresError(error)) return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: error.code,
    severity: error.severity,
    message: error.message,
    detail: error.detail,
    column: error.column,
    hint: error.hint,
    originalCode: error.code,
    originalMessage: error.message,
  });
}

/**
 * Both stock adapters get executeScript wrong for migrations: pglite-prisma-adapter does not await
 * the script (a failing migration is recorded as applied), adapter-pg splits it on every `;`
 * (breaking dollar-quoted function bodies) and runs the pieces outside one implicit transaction.
 * Sending the whole script as one simple query is what the native engine does.
 */
function withWholeScript<A extends SqlDriverAdapter>(
  adapter: A,
  run: (script: string) => Promise<unknown>,
): A {
  adapter.executeScript = async (script) => {
    try {
      await run(script);
    } catch (error) {
      throw toDriverAdapterError(error);
    }
  };
  return adapter;
}

/** A throw-away in-memory database; closed when the engine disposes the adapter. */
async function connectScratchPglite(): Promise<SqlDriverAdapter> {
  const db = new PGlite();
  const adapter = withWholeScript(await new PrismaPGlite(db).connect(), (script) => db.exec(script));
  adapter.dispose = () => db.close();
  return adapter;
}

/** The object PGlite hands a `transaction()` callback; pglite-prisma-adapter keeps it as `client`. */
type TransactionHandle = object;

/**
 * Records, for each PGlite transaction, the promise of its real outcome — which settles after
 * PGlite's own COMMIT — keyed by the handle PGlite passes to the callback.
 */
function recordTransactionOutcomes(db: PGlite): WeakMap<TransactionHandle, Promise<unknown>> {
  const outcomes = new WeakMap<TransactionHandle, Promise<unknown>>();
  const transaction = db.transaction.bind(db);
  db.transaction = <T>(callback: Parameters<PGlite['transaction']>[0]) => {
    const outcome: Promise<T> = transaction(async (handle) => {
      outcomes.set(handle, outcome);
      return (await callback(handle)) as T;
    });
    return outcome;
  };
  return outcomes;
}

/**
 * pglite-prisma-adapter 0.7.2 catches the promise of PGlite's `transaction()` and drops its
 * rejection, so a COMMIT that fails — a PANIC when the disk fills at commit, a deferred
 * constraint — resolves `commit()` and Prisma reports success for a transaction PostgreSQL did
 * not commit. Each transaction's commit also waits for the real outcome and fails with it.
 */
function withCommitOutcome(
  adapter: SqlDriverAdapter,
  outcomes: WeakMap<TransactionHandle, Promise<unknown>>,
): SqlDriverAdapter {
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => {
    const transaction = await startTransaction(isolationLevel);
    const outcome = outcomes.get((transaction as unknown as { client: TransactionHandle }).client);
    const commit = transaction.commit.bind(transaction);
    transaction.commit = async () => {
      await commit();
      await outcome?.catch((error: unknown) => {
        throw toDriverAdapterError(error);
      });
    };
    return transaction;
  };
  return adapter;
}

class PgliteAdapterFactory implements AdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName: string;
  readonly #db: PGlite;
  readonly #inner: PrismaPGlite;
  readonly #outcomes: WeakMap<TransactionHandle, Promise<unknown>>;

  constructor(db: PGlite) {
    this.#db = db;
    this.#inner = new PrismaPGlite(db);
    this.#outcomes = recordTransactionOutcomes(db);
    this.adapterName = this.#inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return passBulkParameters(
      withCommitOutcome(
        withWholeScript(await this.#inner.connect(), (script) => this.#db.exec(script)),
        this.#outcomes,
      ),
    );
  }

  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return connectScratchPglite();
  }

  async openMigrationSession(): Promise<MigrationSession> {
    return { factory: this, close: async () => {} };
  }
}

class PostgresAdapterFactory implements AdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName: string;
  readonly #pool: pg.Pool;
  readonly #inner: PrismaPg;

  constructor(pool: pg.Pool, preparedStatements: number) {
    this.#pool = pool;
    // An unnamed statement is '' (pg treats an empty name as none), which the option's type allows.
    this.#inner = new PrismaPg(pool, { statementNameGenerator: statementNamer(preparedStatements) });
    this.adapterName = this.#inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return passBulkParameters(
      transactionsInOrder(withWholeScript(await this.#inner.connect(), (script) => this.#pool.query(script))),
    );
  }

  // adapter-pg's own shadow database can end up on the main database; never let it run.
  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return connectScratchPglite();
  }

  /**
   * The engine takes a session-level pg_advisory_lock and never unlocks it, relying on the
   * connection closing. On a shared pool that connection would go back to the pool still holding
   * the lock, so the engine gets a one-connection pool that is ended when the command is done.
   */
  async openMigrationSession(): Promise<MigrationSession> {
    // Migrations may rewrite large tables: no statement timeout for them.
    const pool = new pg.Pool({ ...this.#pool.options, max: 1, statement_timeout: undefined });
    return { factory: new PostgresAdapterFactory(pool, 0), close: () => pool.end() };
  }
}

export function createPgliteAdapterFactory(db: PGlite): AdapterFactory {
  return new PgliteAdapterFactory(db);
}

/**
 * The pool stays owned by the caller. Up to `preparedStatements` distinct statements are
 * prepared by name on each connection (statement-names.ts); 0 prepares none.
 */
export function createPostgresAdapterFactory(
  pool: pg.Pool,
  preparedStatements = defaultPreparedStatements,
): AdapterFactory {
  return new PostgresAdapterFactory(pool, preparedStatements);
}
