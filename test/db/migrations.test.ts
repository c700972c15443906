import { createHash, randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../../src/db/adapters.js';
import {
  checkMigrationDrift,
  createMigration,
  deployMigrations,
  LOCK_CONTENT,
  MigrationError,
  markMigrationRolledBack,
  migrationStatus,
  pendingMigrationCount,
} from '../../src/db/migrations.js';
import { heavyTestTimeout } from '../support/timeouts.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const repoMigrations = path.join(repoRoot, 'prisma', 'migrations');
const repoSchema = path.join(repoRoot, 'prisma', 'schema.prisma');
const slow = { timeout: heavyTestTimeout };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function repoMigrationNames(): Promise<string[]> {
  const entries = await readdir(repoMigrations, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

// Dollar-quoted bodies contain `;`; adapter-pg's stock executeScript would split them apart.
const triggerMigration = `CREATE TABLE "audit_probe" ("id" INTEGER PRIMARY KEY, "touched" INTEGER NOT NULL DEFAULT 0);

CREATE FUNCTION audit_probe_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."touched" := NEW."touched" + 1;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_probe_touch BEFORE INSERT ON "audit_probe" FOR EACH ROW EXECUTE FUNCTION audit_probe_touch();
`;

let scratch: string;
const databases: PGlite[] = [];

function openPglite() {
  const db = new PGlite();
  databases.push(db);
  return { db, factory: createPgliteAdapterFactory(db) };
}

/** A copy of the repo's migrations plus extra hand-written ones. */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = path.join(scratch, randomUUID());
  await cp(repoMigrations, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'migrations-test-'));
});

afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.close()));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('deployMigrations on PGlite', () => {
  it('applies every migration and records sha256 checksums of migration.sql', slow, async () => {
    const { db, factory } = openPglite();
    const names = await repoMigrationNames();
    expect(names.length).toBeGreaterThan(0);
    expect(await pendingMigrationCount(factory)).toBe(names.length);

    expect(await deployMigrations(factory)).toEqual({ applied: names });

    const { rows } = await db.query<{ migration_name: string; checksum: string; finished: boolean }>(
      'SELECT migration_name, checksum, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name',
    );
    const expected = await Promise.all(
      names.map(async (name) => ({
        migration_name: name,
        checksum: sha256(await readFile(path.join(repoMigrations, name, 'migration.sql'), 'utf8')),
        finished: true,
      })),
    );
    expect(rows).toEqual(expected);
    expect(await pendingMigrationCount(factory)).toBe(0);
  });

  it('is a no-op the second time', slow, async () => {
    const { factory } = openPglite();
    await deployMigrations(factory);
    expect(await deployMigrations(factory)).toEqual({ applied: [] });
    expect(await migrationStatus(factory)).toEqual({
      applied: await repoMigrationNames(),
      pending: [],
      failed: [],
      edited: [],
    });
  });

  it('runs hand-written SQL with dollar-quoted bodies', slow, async () => {
    const { db, factory } = openPglite();
    const migrationsDir = await migrationsWith({ '99990101000000_trigger': triggerMigration });
    await deployMigrations(factory, { migrationsDir });
    const { rows } = await db.query('INSERT INTO "audit_probe" ("id") VALUES (1) RETURNING "touched"');
    expect(rows).toEqual([{ touched: 1 }]);
  });

  it('rejects a failing migration, records it as failed and applies none of it', slow, async () => {
    const { db, factory } = openPglite();
    const broken = '99990101000000_broken';
    const migrationsDir = await migrationsWith({
      [broken]: 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n',
    });

    const failure = await deployMigrations(factory, { migrationsDir }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    expect(failure).toMatchObject({ migrationName: broken });
    expect((failure as Error).message).toContain('no_such_table');

    const status = await migrationStatus(factory, { migrationsDir });
    expect(status).toMatchObject({ applied: await repoMigrationNames(), pending: [], failed: [broken] });
    expect(await pendingMigrationCount(factory, { migrationsDir })).toBe(1);
    const { rows } = await db.query(`SELECT to_regclass('half_done') IS NULL AS absent`);
    expect(rows).toEqual([{ absent: true }]);

    await expect(deployMigrations(factory, { migrationsDir })).rejects.toThrow(MigrationError);

    await writeFile(
      path.join(migrationsDir, broken, 'migration.sql'),
      'CREATE TABLE "half_done" ("id" INTEGER);\n',
    );
    await markMigrationRolledBack(factory, broken);
    expect(await deployMigrations(factory, { migrationsDir })).toEqual({ applied: [broken] });
    expect(await migrationStatus(factory, { migrationsDir })).toMatchObject({ pending: [], failed: [] });
  });
});

describe('drift and createMigration', () => {
  async function schemaWithExtraModel(): Promise<string> {
    const schemaPath = path.join(scratch, `${randomUUID()}.prisma`);
    const extra = '\nmodel DriftProbe {\n  id   Int    @id\n  note String\n}\n';
    await writeFile(schemaPath, (await readFile(repoSchema, 'utf8')) + extra);
    return schemaPath;
  }

  it('finds the repo migrations in sync with schema.prisma', slow, async () => {
    expect(await checkMigrationDrift()).toEqual({ upToDate: true, script: '' });
  });

  it('reports the SQL a schema change still needs', slow, async () => {
    const drift = await checkMigrationDrift({ schemaPath: await schemaWithExtraModel() });
    expect(drift.upToDate).toBe(false);
    expect(drift.script).toContain('CREATE TABLE "DriftProbe"');
  });

  it('writes the next migration and its lock file, then has nothing left to do', slow, async () => {
    const schemaPath = await schemaWithExtraModel();
    const migrationsDir = await migrationsWith({});
    const now = new Date(Date.UTC(2999, 0, 2, 3, 4, 5));

    const created = await createMigration('Add drift probe', { schemaPath, migrationsDir, now });
    expect(created).toBe(path.join(migrationsDir, '29990102030405_add_drift_probe'));
    expect(await readFile(path.join(created ?? '', 'migration.sql'), 'utf8')).toContain(
      'CREATE TABLE "DriftProbe"',
    );
    expect(await readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toBe(LOCK_CONTENT);

    expect(await createMigration('again', { schemaPath, migrationsDir })).toBeNull();
    expect(await checkMigrationDrift({ schemaPath, migrationsDir })).toMatchObject({ upToDate: true });
  });

  it('writes the first migration without a CREATE SCHEMA, and empty ones on request', slow, async () => {
    const migrationsDir = path.join(scratch, randomUUID());
    const first = await createMigration('init', { migrationsDir });
    const script = await readFile(path.join(first ?? '', 'migration.sql'), 'utf8');
    expect(script).toMatch(/^-- Create/);
    expect(script).not.toContain('CREATE SCHEMA');

    const empty = await createMigration('triggers', {
      migrationsDir,
      empty: true,
      now: new Date(Date.UTC(2999, 0, 1)),
    });
    expect(await readFile(path.join(empty ?? '', 'migration.sql'), 'utf8')).toBe(
      '-- This is an empty migration.',
    );
  });
});

const postgresUrl = process.env.TEST_DATABASE_URL;

function poolFor(url: URL, database: string): pg.Pool {
  return new pg.Pool({
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: decodeURIComponent(url.password) || undefined,
    database,
    max: 4,
  });
}

describe.skipIf(!postgresUrl)('deployMigrations on PostgreSQL', () => {
  const url = new URL(postgresUrl ?? 'postgresql://localhost');
  const database = `migrations_test_${randomUUID().replaceAll('-', '')}`;
  const admin = poolFor(url, decodeURIComponent(url.pathname.slice(1)) || 'postgres');
  let pool: pg.Pool;

  beforeAll(async () => {
    await admin.query(`CREATE DATABASE "${database}"`);
    pool = poolFor(url, database);
  });

  afterAll(async () => {
    await pool?.end();
    await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
    await admin.end();
  });

  it('deploys, reports status, and leaves no advisory lock behind', slow, async () => {
    const factory = createPostgresAdapterFactory(pool);
    const migrationsDir = await migrationsWith({ '99990101000000_trigger': triggerMigration });
    const names = [...(await repoMigrationNames()), '99990101000000_trigger'];

    expect(await migrationStatus(factory, { migrationsDir })).toMatchObject({ applied: [], pending: names });
    expect(await deployMigrations(factory, { migrationsDir })).toEqual({ applied: names });
    expect(await deployMigrations(factory, { migrationsDir })).toEqual({ applied: [] });
    expect(await migrationStatus(factory, { migrationsDir })).toEqual({
      applied: names,
      pending: [],
      failed: [],
      edited: [],
    });

    const { rows: touched } = await pool.query(
      'INSERT INTO "audit_probe" ("id") VALUES (1) RETURNING "touched"',
    );
    expect(touched).toEqual([{ touched: 1 }]);
    const { rows: locks } =
      await pool.query(`SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND d.datname = current_database()`);
    expect(locks).toEqual([]);
  });
});
