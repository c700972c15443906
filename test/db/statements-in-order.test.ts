import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, Transaction } from '@prisma/driver-adapter-utils';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapterFactory } from '../../src/db/adapters.js';
import { databaseFromFactory, poolFromUrl } from '../../src/db/database.js';
import { openTestDatabase, type TestDatabase, testTarget } from '../support/test-database.js';

/**
 * A one-connection pool that counts the statements handed to its connection while another was
 * still running on it (what pg 8 warns about and pg 9 refuses), and records the order they
 * were handed over in.
 */
function watchedPool(url: string) {
  const pool = poolFromUrl(url, 1);
  const seen = { overlapping: 0, order: [] as string[] };
  pool.on('connect', (client: pg.PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    let running = 0;
    (client as { query: unknown }).query = (...args: unknown[]) => {
      const config = args[0] as string | { text: string };
      seen.order.push(typeof config === 'string' ? config : config.text);
      if (running > 0) seen.overlapping++;
      running++;
      const done = () => {
        running--;
      };
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        return query(...args.slice(0, -1), (...outcome: unknown[]) => {
          done();
          callback(...outcome);
        });
      }
      return (query(...args) as Promise<unknown>).finally(done);
    };
  });
  return { pool, seen };
}

const statement = (sql: string) => ({ sql, args: [], argTypes: [] });

/** Three statements sent to one transaction at once, the first still running when the others are sent. */
const threeAtOnce = (transaction: Transaction) =>
  Promise.all([
    transaction.queryRaw(statement('SELECT 1::int AS n, pg_sleep(0.05)::text AS waited -- in_order_1')),
    transaction.queryRaw(statement('SELECT 2::int AS n -- in_order_2')),
    transaction.queryRaw(statement('SELECT 3::int AS n -- in_order_3')),
  ]);

describe.skipIf(testTarget !== 'postgres')('PostgreSQL: a transaction runs one statement at a time', () => {
  let testDatabase: TestDatabase;
  const pools: pg.Pool[] = [];
  const adapters: SqlDriverAdapter[] = [];
  const connect = async (wrapped: boolean) => {
    const { pool, seen } = watchedPool(testDatabase.url ?? '');
    pools.push(pool);
    const adapter = await (wrapped ? createPostgresAdapterFactory(pool) : new PrismaPg(pool)).connect();
    adapters.push(adapter);
    return { adapter, seen };
  };
  const ours = (order: string[]) =>
    order.filter((text) => text.includes('-- in_order_')).map((text) => text.split('-- ')[1]);

  beforeAll(async () => {
    testDatabase = await openTestDatabase();
  });
  afterEach(async () => {
    for (const adapter of adapters.splice(0)) await adapter.dispose();
    for (const pool of pools.splice(0)) await pool.end().catch(() => {});
  });
  afterAll(async () => {
    await testDatabase?.close();
  });

  it('hands the connection the next statement only when the one before is done, in the order sent', async () => {
    const { adapter, seen } = await connect(true);
    const transaction = await adapter.startTransaction();
    const results = await threeAtOnce(transaction);
    await transaction.commit();
    expect(results.map((result) => result.rows[0]?.[0])).toEqual([1, 2, 3]);
    expect(seen.overlapping).toBe(0);
    expect(ours(seen.order)).toEqual(['in_order_1', 'in_order_2', 'in_order_3']);
  });

  // Prints pg's deprecation warning once: the behaviour the wrapper removes.
  it('without it, adapter-pg hands them over while the first still runs (what it guards against)', async () => {
    const { adapter, seen } = await connect(false);
    const transaction = await adapter.startTransaction();
    const results = await threeAtOnce(transaction);
    await transaction.commit();
    expect(results.map((result) => result.rows[0]?.[0])).toEqual([1, 2, 3]);
    expect(seen.overlapping).toBeGreaterThan(0);
  });

  it('a failing statement fails alone, the next runs after it, and the rollback after both', async () => {
    const { adapter, seen } = await connect(true);
    const transaction = await adapter.startTransaction();
    // Prisma ends a transaction with a ROLLBACK statement, then lets the connection go (rollback()).
    const [failed, next, rolledBack] = await Promise.allSettled([
      transaction.queryRaw(statement('SELECT 1 / (0 * pg_sleep(0.05)::text::int) -- in_order_fails')),
      transaction.queryRaw(statement('SELECT 2::int AS n -- in_order_after')),
      transaction.executeRaw(statement('ROLLBACK -- in_order_rollback')),
    ]);
    await transaction.rollback();
    expect(failed.status).toBe('rejected');
    // It reached PostgreSQL after the failure, inside the aborted transaction.
    expect(next.status).toBe('rejected');
    expect(JSON.stringify((next as PromiseRejectedResult).reason)).toMatch(/25P02/);
    expect(rolledBack.status).toBe('fulfilled');
    expect(seen.overlapping).toBe(0);
    expect(ours(seen.order)).toEqual(['in_order_fails', 'in_order_after', 'in_order_rollback']);
  });

  it("Prisma's own parallel statements (relations loaded by separate queries) run one at a time", async () => {
    const { pool, seen } = watchedPool(testDatabase.url ?? '');
    pools.push(pool);
    const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), async () => {});
    try {
      const loaded = await database.prisma.$transaction(async (tx) => {
        const controller = await tx.controller.create({
          data: { slug: 'in-order', name: 'In order', legalName: 'In order', contactEmail: 'a@example.org' },
        });
        return tx.controller.findMany({
          where: { id: controller.id },
          include: { apiKeys: true, purposes: true, notices: true, signingKeys: true },
        });
      });
      expect(loaded).toHaveLength(1);
      expect(seen.order.length).toBeGreaterThanOrEqual(6);
      expect(seen.overlapping).toBe(0);
    } finally {
      await database.close();
    }
  });
});
