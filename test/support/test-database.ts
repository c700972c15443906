import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../../src/db/adapters.js';
import { type Database, databaseFromFactory, poolFromUrl } from '../../src/db/database.js';
import { QueryCounter } from './query-counter.js';

export interface TestDatabase extends Database {
  readonly counter: QueryCounter;
  /** Connection URL when on PostgreSQL (null on PGlite). */
  readonly url: string | null;
  /** Runs raw SQL outside Prisma, e.g. to prove a database-level guard. */
  sql(text: string, params?: unknown[]): Promise<unknown[]>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export const testTarget: 'postgres' | 'pglite' = inject('postgresTemplate') ? 'postgres' : 'pglite';

/** A fresh, migrated database for one test file: a copy of the run's template. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const counter = new QueryCounter();
  const template = inject('postgresTemplate');
  if (template) {
    const pid = template.database.replace('notarium_template_', '');
    const name = `notarium_t_${pid}_${randomBytes(6).toString('hex')}`;
    const admin = poolFromUrl(template.url, 1);
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template.database}`);
    await admin.end();
    const url = withDatabase(template.url, name);
    const pool = poolFromUrl(url, 5);
    const database = databaseFromFactory(
      'postgres',
      createPostgresAdapterFactory(pool),
      async () => {
        pool.on('error', () => {});
        await pool.end();
        const dropper = poolFromUrl(template.url, 1);
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.end();
      },
      { wrapFactory: (factory) => counter.wrap(factory), pool },
    );
    return {
      ...database,
      counter,
      url,
      sql: async (text, params) => (await pool.query(text, params)).rows,
    };
  }
  const blob = new Blob([readFileSync(inject('pgliteTemplatePath'))]);
  const pglite = await PGlite.create({ loadDataDir: blob });
  const database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), () => pglite.close(), {
    wrapFactory: (factory) => counter.wrap(factory),
  });
  return {
    ...database,
    counter,
    url: null,
    sql: async (text, params) => (await pglite.query(text, params)).rows,
  };
}
