import type { Database } from './database.js';
import { pendingMigrationCount } from './migrations.js';

export interface Readiness {
  readonly ready: boolean;
  readonly database: 'reachable' | 'unreachable';
  readonly pendingMigrations: number | null;
}

/** Ready = the database answers and every migration in prisma/migrations is applied. */
export async function checkReadiness(database: Database): Promise<Readiness> {
  if (!(await database.ping())) return { ready: false, database: 'unreachable', pendingMigrations: null };
  try {
    const pendingMigrations = await pendingMigrationCount(database.factory);
    return { ready: pendingMigrations === 0, database: 'reachable', pendingMigrations };
  } catch {
    return { ready: false, database: 'unreachable', pendingMigrations: null };
  }
}
