import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnList } from '../../src/db/raw-sql.js';
import { Prisma } from '../../src/generated/prisma/client.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('columnList', () => {
  const t = {} as { database: TestDatabase };
  beforeAll(async () => {
    t.database = await openTestDatabase();
  });
  afterAll(async () => {
    await t.database.close();
  });

  it('selects the named columns of the aliased row', async () => {
    const controller = await t.database.prisma.controller.create({
      data: { slug: 'column-list', name: 'C', legalName: 'C Ltd', contactEmail: 'c@c.example' },
    });
    const rows = await t.database.prisma.$queryRaw<{ id: string; slug: string }[]>(
      Prisma.sql`SELECT ${columnList('c', ['id', 'slug'])} FROM "Controller" c WHERE c."id" = ${controller.id}::uuid`,
    );
    expect(rows).toEqual([{ id: controller.id, slug: 'column-list' }]);
  });

  it('refuses anything but plain identifiers, so no string can reach the SQL text', () => {
    expect(() => columnList('c', ['id" FROM x; --'])).toThrow(/plain SQL identifier/);
    expect(() => columnList('c; DROP', ['id'])).toThrow(/plain SQL identifier/);
    expect(() => columnList('c', ['created at'])).toThrow(/plain SQL identifier/);
  });
});
