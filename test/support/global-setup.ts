import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../../src/db/adapters.js';
import { poolFromUrl } from '../../src/db/database.js';
import { deployMigrations } from '../../src/db/migrations.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
    postgresTemplate: { url: string; database: string } | null;
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Migrates one template per run; each test file then gets its own copy of it. */
export default async function setup(project: TestProject) {
  const directory = mkdtempSync(join(tmpdir(), 'notarium-test-'));
  const pglite = new PGlite();
  await deployMigrations(createPgliteAdapterFactory(pglite));
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const pgliteTemplatePath = join(directory, 'template.tar');
  writeFileSync(pgliteTemplatePath, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplatePath', pgliteTemplatePath);

  const serverUrl = process.env.TEST_DATABASE_URL;
  let templateName: string | null = null;
  if (serverUrl) {
    templateName = `notarium_template_${process.pid}`;
    const admin = poolFromUrl(serverUrl, 1);
    await admin.query(`DROP DATABASE IF EXISTS ${templateName}`);
    await admin.query(`CREATE DATABASE ${templateName}`);
    const templatePool = poolFromUrl(withDatabase(serverUrl, templateName), 2);
    await deployMigrations(createPostgresAdapterFactory(templatePool));
    await templatePool.end();
    await admin.end();
    project.provide('postgresTemplate', { url: serverUrl, database: templateName });
  } else {
    project.provide('postgresTemplate', null);
  }

  return async () => {
    rmSync(directory, { recursive: true, force: true });
    if (serverUrl && templateName) {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      const leftovers = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'notarium_t_${process.pid}_%' OR datname = $1`,
        [templateName],
      );
      for (const { datname } of leftovers.rows)
        await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    }
  };
}
