import type { Database } from './database.js';

/**
 * Planner statistics after bulk loads. Autovacuum may be off, and even where it runs it analyses
 * a table only after a while; until then the planner guesses row counts, and a plan chosen for a
 * guess of one row can be quadratic for a million. So the ingest paths report how many rows they
 * wrote, and once a table has grown by at least `minimumRows` and by a tenth of what its last
 * statistics counted, the table is analysed: after the load's own transaction committed (never
 * inside it, where ANALYZE's lock would be held until the caller commits), in the background, one
 * table at a time. ANALYZE reads a fixed-size sample (30,000 rows by default), so it costs about
 * the same on any table size. Statements that must not depend on statistics at all (the
 * eligibility manifest) are written so that they don't; this keeps the rest of the planner honest.
 */
export type LoadedTable = 'Notification' | 'NotificationEvent';

const minimumRows = 10_000;

interface TableState {
  pending: number;
  running: boolean;
}

const states = new WeakMap<Database, Map<LoadedTable, TableState>>();

function analyze(database: Database, table: LoadedTable): Promise<number> {
  const prisma = database.prisma;
  switch (table) {
    case 'Notification':
      return prisma.$executeRaw`ANALYZE "Subject", "Notification"`;
    case 'NotificationEvent':
      return prisma.$executeRaw`ANALYZE "NotificationEvent"`;
  }
}

async function analyzeIfGrown(database: Database, table: LoadedTable, state: TableState): Promise<void> {
  state.running = true;
  try {
    const [row] = await database.prisma.$queryRaw<{ rows: number }[]>`
      SELECT greatest(reltuples, 0)::float8 AS "rows" FROM pg_class WHERE oid = to_regclass(${`"${table}"`})`;
    const counted = Number(row?.rows ?? 0);
    if (state.pending < Math.max(minimumRows, counted / 10)) return;
    state.pending = 0;
    await analyze(database, table);
  } catch {
    // Statistics are an optimisation: a closed database or a concurrent ANALYZE is not an error.
  } finally {
    state.running = false;
  }
}

/**
 * Notes `rows` newly committed rows of `table`; analyses it in the background once it grew
 * enough. Callers do not wait: the promise (settled when the analysis is done, or at once when
 * none started) is for tests.
 */
export function noteLoaded(database: Database, table: LoadedTable, rows: number): Promise<void> {
  if (rows <= 0) return Promise.resolve();
  let tables = states.get(database);
  if (!tables) {
    tables = new Map();
    states.set(database, tables);
  }
  let state = tables.get(table);
  if (!state) {
    state = { pending: 0, running: false };
    tables.set(table, state);
  }
  state.pending += rows;
  if (state.pending < minimumRows || state.running) return Promise.resolve();
  return analyzeIfGrown(database, table, state);
}
