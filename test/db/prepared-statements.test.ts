import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { statementNamer } from '../../src/db/statement-names.js';
import { openTestDatabase, type TestDatabase, testTarget } from '../support/test-database.js';

describe('statementNamer', () => {
  it('gives one text one name, and two texts two names', () => {
    const name = statementNamer(10);
    const first = name({ sql: 'SELECT 1' });
    expect(first).toMatch(/^notarium_[0-9a-f]{32}$/);
    expect(name({ sql: 'SELECT 1' })).toBe(first);
    expect(name({ sql: 'SELECT 2' })).not.toBe(first);
  });

  it('names no more texts than its capacity; the rest run unnamed', () => {
    const name = statementNamer(2);
    const [a, b] = [name({ sql: 'SELECT 1' }), name({ sql: 'SELECT 2' })];
    expect(name({ sql: 'SELECT 3' })).toBe('');
    expect([name({ sql: 'SELECT 1' }), name({ sql: 'SELECT 2' })]).toEqual([a, b]);
    expect(statementNamer(0)({ sql: 'SELECT 1' })).toBe('');
  });
});

// Prepared statements live in a PostgreSQL session; PGlite's adapter runs every statement unnamed.
describe.skipIf(testTarget !== 'postgres')('PostgreSQL: statements prepared by name', () => {
  let testDatabase: TestDatabase;
  const opened: Database[] = [];
  const open = async (preparedStatements: number) => {
    const database = await openDatabase({
      kind: 'postgres',
      url: testDatabase.url ?? '',
      poolSize: 1,
      statementTimeoutMs: 0,
      preparedStatements,
    });
    opened.push(database);
    return database;
  };
  /** The statements the pool's one session has prepared, after running one statement three times. */
  const preparedAfterRepeats = async (database: Database) => {
    for (const n of [1, 2, 3]) {
      const [row] = await database.prisma.$queryRaw<
        { sum: number }[]
      >`SELECT ${n}::int + 1 AS "sum" -- repeated_probe`;
      expect(row?.sum).toBe(n + 1);
    }
    return database.prisma.$queryRaw<{ name: string; statement: string; generic: bigint; custom: bigint }[]>`
      SELECT "name", "statement", "generic_plans" AS "generic", "custom_plans" AS "custom"
      FROM pg_prepared_statements WHERE "statement" LIKE '%' || 'repeated' || '_probe'`;
  };

  beforeAll(async () => {
    testDatabase = await openTestDatabase();
  });
  afterAll(async () => {
    for (const database of opened) await database.close();
    await testDatabase?.close();
  });

  it('parses a repeated statement once per connection and runs it again by name', async () => {
    const prepared = await preparedAfterRepeats(await open(500));
    expect(prepared).toHaveLength(1);
    expect(prepared[0]?.name).toMatch(/^notarium_[0-9a-f]{32}$/);
    expect(Number(prepared[0]?.generic) + Number(prepared[0]?.custom)).toBe(3);
  });

  it('prepares nothing when DATABASE_PREPARED_STATEMENTS is 0', async () => {
    expect(await preparedAfterRepeats(await open(0))).toEqual([]);
  });
});
