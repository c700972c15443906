import { readFileSync } from 'node:fs';
import { messages, PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgliteAdapterFactory } from '../../src/db/adapters.js';
import { type Database, databaseFromFactory } from '../../src/db/database.js';
import { classifyDatabaseFailure } from '../../src/db/database-failure.js';
import { type EmbeddedDatabaseFailedError, guardEmbeddedDatabase } from '../../src/db/embedded-health.js';
import { authenticate } from '../../src/modules/api-key/api-key.service.js';
import { makeController, makeKey } from '../support/factories.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

const megabyte = 1024 * 1024;

/** A migrated in-memory PGlite (the run's template) with the guard on it. */
async function guardedDatabase(options: Omit<Parameters<typeof guardEmbeddedDatabase>[1], 'dataDir'>) {
  const pglite = await PGlite.create({ loadDataDir: new Blob([readFileSync(inject('pgliteTemplatePath'))]) });
  guardEmbeddedDatabase(pglite, { dataDir: '/', ...options });
  const database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), () => pglite.close());
  return { pglite, database };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the statement succeeded'),
    (error: unknown) => error,
  );
}

describe('embedded database: space running short', () => {
  let free = 1024 * megabyte;
  let database: Database;

  beforeAll(async () => {
    ({ database } = await guardedDatabase({ freeBytes: () => free, minimumFreeBytes: 64 * megabyte }));
  });
  afterAll(() => database.close());

  it('refuses writes as disk full while reads go on, and writes again once space is back', async () => {
    const { prisma } = database;
    await makeController(prisma);

    free = 63 * megabyte;
    const refused = await failure(makeController(prisma));
    expect(classifyDatabaseFailure(refused)).toBe('STORAGE_FULL');
    expect(String(refused)).toContain('63 MB free');
    const refusedRaw = await failure(prisma.$executeRaw`UPDATE "Controller" SET name = name`);
    expect(classifyDatabaseFailure(refusedRaw)).toBe('STORAGE_FULL');
    expect(await prisma.controller.count()).toBe(1);
    expect(await database.ping()).toBe(true);

    free = 65 * megabyte;
    await makeController(prisma);
    expect(await prisma.controller.count()).toBe(2);
  });

  it('still lets a key in while space is short: recording when it was last used is best effort', async () => {
    const { prisma } = database;
    const controller = await makeController(prisma);
    const key = await makeKey(prisma, controller.id, 'READER');
    free = 63 * megabyte;
    const authentication = await authenticate(database, key.secret, new Date());
    expect(authentication.ok).toBe(true);
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } })).lastUsedAt).toBeNull();
    free = 1024 * megabyte;
  });
});

/**
 * A PANIC needs a disk that really fills at the wrong moment (scripts/disk-full.ts does that on a
 * tmpfs); here PGlite's protocol layer answers one statement with the PANIC PostgreSQL sends then.
 */
describe('embedded database: PGlite cannot continue', () => {
  let pglite: PGlite;
  let database: Database;
  const unrecoverable: EmbeddedDatabaseFailedError[] = [];
  const calls: string[] = [];

  beforeAll(async () => {
    pglite = await PGlite.create({ loadDataDir: new Blob([readFileSync(inject('pgliteTemplatePath'))]) });
    const execProtocolStream = pglite.execProtocolStream.bind(pglite);
    pglite.execProtocolStream = async (message, options) => {
      const text = Buffer.from(message).toString('latin1');
      calls.push(text.slice(0, 1));
      if (text.includes('pg_panic_here')) {
        const panic = new messages.DatabaseError(
          'could not write to file "pg_wal/xlogtemp.42": No space left on device',
          0,
          'error',
        );
        Object.assign(panic, { severity: 'PANIC', code: '53100' });
        throw panic;
      }
      return execProtocolStream(message, options);
    };
    guardEmbeddedDatabase(pglite, {
      dataDir: '/',
      freeBytes: () => 1024 * megabyte,
      onUnrecoverable: (error) => unrecoverable.push(error),
    });
    database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), () => pglite.close());
  });
  afterAll(() => database.close());

  it('answers the statement with its PANIC, refuses every later one at once, and says so once', async () => {
    expect(await database.ping()).toBe(true);
    const panic = await failure(database.prisma.$queryRaw`SELECT 'pg_panic_here'`);
    expect(classifyDatabaseFailure(panic)).toBe('STORAGE_FULL');
    expect(String(panic)).toContain('No space left on device');

    const callsBefore = calls.length;
    const refused = await failure(database.prisma.controller.count());
    expect(classifyDatabaseFailure(refused)).not.toBeNull();
    expect(String(refused)).toContain('cannot continue');
    expect(await database.ping()).toBe(false);
    // Refused without reaching PGlite, whose next statement would spin forever.
    expect(calls.length).toBe(callsBefore);

    await Promise.resolve();
    expect(unrecoverable).toHaveLength(1);
    expect(unrecoverable[0]?.message).toMatch(/PANIC 53100: could not write to file .*Restart Notarium/);
  });
});

describe('transactions: a COMMIT that fails is a failure', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await openTestDatabase();
    await database.sql('CREATE TABLE commit_parent (id int PRIMARY KEY)');
    await database.sql(
      'CREATE TABLE commit_child (parent int REFERENCES commit_parent (id) DEFERRABLE INITIALLY DEFERRED)',
    );
  });
  afterAll(() => database.close());

  it('rejects the transaction and keeps nothing of it', async () => {
    const committed = database.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO commit_child (parent) VALUES (1)`;
    });
    await expect(committed).rejects.toThrow();
    expect(await database.sql('SELECT * FROM commit_child')).toEqual([]);

    await database.sql('INSERT INTO commit_parent (id) VALUES (1)');
    await database.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO commit_child (parent) VALUES (1)`;
    });
    expect(await database.sql('SELECT parent FROM commit_child')).toEqual([{ parent: 1 }]);
  });
});
