import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { openTestDatabase, type TestDatabase, testTarget } from '../support/test-database.js';

// PGlite has no JIT compiler; the setting is PostgreSQL's.
describe.skipIf(testTarget !== 'postgres')('PostgreSQL pool: connection settings', () => {
  let testDatabase: TestDatabase;
  let database: Database;

  beforeAll(async () => {
    testDatabase = await openTestDatabase();
    database = await openDatabase({
      kind: 'postgres',
      url: testDatabase.url ?? '',
      poolSize: 2,
      statementTimeoutMs: 0,
    });
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.close();
  });

  it('runs every connection without JIT compilation, whatever the server default', async () => {
    const settings = await Promise.all(
      [1, 2].map(() =>
        database.prisma.$transaction(async (tx) => {
          const [row] = await tx.$queryRaw<{ jit: string }[]>`SELECT current_setting('jit') AS "jit"`;
          return row?.jit;
        }),
      ),
    );
    expect(settings).toEqual(['off', 'off']);
  });
});
