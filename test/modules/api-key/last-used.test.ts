import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../../src/modules/api-key/api-key.service.js';
import { makeController, makeKey } from '../../support/factories.js';
import { openTestDatabase, type TestDatabase } from '../../support/test-database.js';

describe('lastUsedAt', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('is written by one statement that turns off the wait for the WAL flush for itself alone', async () => {
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER');
    const now = new Date();
    const { result, statements } = await database.counter.measure(() =>
      authenticate(database, key.secret, now),
    );
    expect(result.ok).toBe(true);
    const writes = statements.filter((sql) => !sql.startsWith('SELECT'));
    expect(writes, statements.join('\n')).toHaveLength(1);
    expect(writes[0]).toMatch(/^UPDATE "ApiKey" SET "lastUsedAt"/);
    expect(writes[0]).toContain(`set_config('synchronous_commit', 'off', true)`);
    const stored = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(stored.lastUsedAt?.getTime()).toBe(now.getTime());
    // The setting ended with the statement's own transaction.
    const rows = await database.prisma.$queryRaw<{ setting: string }[]>`
      SELECT current_setting('synchronous_commit') AS "setting"`;
    expect(rows).toEqual([{ setting: 'on' }]);
  });

  it('is written at most once a minute', async () => {
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER');
    const now = new Date();
    await authenticate(database, key.secret, now);
    const again = await database.counter.measure(() =>
      authenticate(database, key.secret, new Date(now.getTime() + 30_000)),
    );
    expect(again.statements.filter((sql) => !sql.startsWith('SELECT'))).toEqual([]);
    const later = new Date(now.getTime() + 61_000);
    await authenticate(database, key.secret, later);
    const stored = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(stored.lastUsedAt?.getTime()).toBe(later.getTime());
  });
});
