import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { openTestDatabase, type TestDatabase, testTarget } from '../support/test-database.js';

// Only a server can end a pooled connection behind the pool's back.
describe.skipIf(testTarget !== 'postgres')('PostgreSQL pool: a connection ended while idle', () => {
  let testDatabase: TestDatabase;
  let database: Database;
  const lost: Error[] = [];
  let signalLost: () => void = () => {};
  const lostOnce = new Promise<void>((resolve) => {
    signalLost = resolve;
  });

  beforeAll(async () => {
    testDatabase = await openTestDatabase();
    database = await openDatabase(
      { kind: 'postgres', url: testDatabase.url ?? '', poolSize: 1, statementTimeoutMs: 0 },
      {
        onIdleConnectionError: (error) => {
          lost.push(error);
          signalLost();
        },
      },
    );
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.close();
  });

  it('is reported, does not stop the process, and the next query gets a new connection', async () => {
    const backendPid = async () =>
      (await database.prisma.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]?.pid;
    const before = await backendPid();
    const admin = new pg.Client({ connectionString: testDatabase.url ?? '' });
    await admin.connect();
    try {
      const ended = await admin.query('SELECT pg_terminate_backend($1) AS ended', [before]);
      expect(ended.rows[0].ended).toBe(true);
    } finally {
      await admin.end();
    }
    await lostOnce;
    expect(lost.map((error) => (error as Error & { code?: string }).code)).toEqual(['57P01']);
    const after = await backendPid();
    expect(after).toEqual(expect.any(Number));
    expect(after).not.toBe(before);
  });
});
