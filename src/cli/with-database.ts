import type { Database } from '../db/database.js';

/** Opens the database for one command and closes it however the command ends; exit code 0. */
export async function withDatabase(
  open: () => Promise<Database>,
  run: (database: Database) => Promise<void>,
): Promise<number> {
  const database = await open();
  try {
    await run(database);
    return 0;
  } finally {
    await database.close();
  }
}
