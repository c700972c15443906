import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log/logger.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Own properties defined with a getter or setter: what V8 keeps alive until a full collection (ADR 0050). */
const ownAccessors = (value: object) =>
  Object.entries(Object.getOwnPropertyDescriptors(value))
    .filter(([, descriptor]) => descriptor.get !== undefined || descriptor.set !== undefined)
    .map(([name]) => name);

describe("the database's query promises (ADR 0050)", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('carry no getter of their own, and are still what Prisma calls a PrismaPromise', async () => {
    const query = database.prisma.$queryRaw<{ one: number }[]>`SELECT 1::int AS one`;
    expect(query.constructor.name).toBe('LeanPrismaPromise');
    expect(ownAccessors(query)).toEqual([]);
    expect(Object.prototype.toString.call(query)).toBe('[object PrismaPromise]');
    expect(await query).toEqual([{ one: 1 }]);
  });

  it('run their statement once, when first awaited, and answer every await with that result', async () => {
    const query = database.prisma.$queryRaw<{ n: number }[]>`SELECT 2::int AS n`;
    const { statements } = await database.counter.measure(async () => {
      const first = await query;
      expect(await query).toBe(first);
      expect(await query.then((rows) => rows.length)).toBe(1);
    });
    expect(statements.filter((sql) => sql.includes('SELECT 2'))).toHaveLength(1);
    const never = database.counter.measure(async () => {
      database.prisma.$queryRaw`SELECT 3::int AS n`;
    });
    expect((await never).statements.filter((sql) => sql.includes('SELECT 3'))).toHaveLength(0);
  });

  it('reject through catch and settle through finally', async () => {
    let settled = false;
    const failed = await database.prisma.$queryRaw`SELECT * FROM "NoSuchTable"`
      .catch((error: unknown) => error)
      .finally(() => {
        settled = true;
      });
    expect(failed).toBeInstanceOf(Error);
    expect(settled).toBe(true);
  });

  it('join a batch transaction, model queries through the extended client included', async () => {
    const [rows, controllers] = await database.prisma.$transaction([
      database.prisma.$queryRaw<{ one: number }[]>`SELECT 1::int AS one`,
      database.prisma.controller.findMany({ select: { id: true } }),
    ]);
    expect(rows).toEqual([{ one: 1 }]);
    expect(Array.isArray(controllers)).toBe(true);
  });

  it('leave interactive transactions working', async () => {
    const answer = await database.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ n: number }[]>`SELECT 4::int AS n`;
      return row?.n;
    });
    expect(answer).toBe(4);
  });
});

describe('Promise.withResolvers for the libraries the app runs (ADR 0050)', () => {
  it('exists once the app is loaded, and answers with plain properties', async () => {
    const database = await openTestDatabase();
    try {
      createApp({ config: { environment: 'test' }, database, logger: createLogger('silent') });
      const deferred = (
        Promise as unknown as { withResolvers<T>(): { promise: Promise<T>; resolve(value: T): void } }
      ).withResolvers<number>();
      expect(ownAccessors(deferred)).toEqual([]);
      deferred.resolve(5);
      expect(await deferred.promise).toBe(5);
    } finally {
      await database.close();
    }
  });
});
