import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteLoaded } from '../../../src/db/analyze-after-load.js';
import { openTestDatabase, type TestDatabase } from '../../support/test-database.js';

describe('statistics after bulk loads', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  const lastAnalysed = async () => {
    const [row] = (await database.sql(
      `SELECT last_analyze AS "at" FROM pg_stat_user_tables WHERE relname = 'NotificationEvent'`,
    )) as { at: Date | null }[];
    return row?.at ?? null;
  };

  it('analyses a table once it grew by enough rows, not after every small batch', async () => {
    await noteLoaded(database, 'NotificationEvent', 5_000);
    expect(await lastAnalysed()).toBeNull();
    await noteLoaded(database, 'NotificationEvent', 5_000);
    const first = await lastAnalysed();
    expect(first).not.toBeNull();
    // The count starts again after an analysis.
    await noteLoaded(database, 'NotificationEvent', 5_000);
    expect(await lastAnalysed()).toEqual(first);
  });
});
