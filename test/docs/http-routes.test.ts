/**
 * The "HTTP routes" table of docs/api-guide.md lists every route src/app.ts serves, and no other.
 *
 * The routes are read from src/app.ts: the paths and prefixes it passes to `knownPathsOnly` (every
 * other path is answered 404 there), and the plugins placed before it, which serve paths of their
 * own. Each row of the table is then asked for over the app: it must not be the 404 of an unknown path.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { createLogger } from '../../src/log/logger.js';
import { makeController } from '../support/factories.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { brokenReferences, firstCode, sectionRows } from './markdown-tables.js';

const root = join(import.meta.dirname, '..', '..');
const guide = 'docs/api-guide.md';
const app = readFileSync(join(root, 'src/app.ts'), 'utf8');

/** Plugins before `knownPathsOnly` in the app's list: the paths each serves itself (null: none). */
const servingBeforeKnownPaths: Record<string, string | null> = {
  accessLog: null,
  safely: null,
  map: null,
  graphiqlAssets: '/graphiql/',
  publicPages: '/public/<slug>/notices/',
};

/** The value of a constant named in src/app.ts: declared there, or exported from another file under src/. */
function constantValue(name: string): string {
  const declaration = new RegExp(`const ${name} = '([^']+)'`);
  const local = declaration.exec(app)?.[1];
  if (local !== undefined) return local;
  const files = (function walk(directory: string): string[] {
    return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(directory, entry.name)) : [join(directory, entry.name)],
    );
  })(join(root, 'src')).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const value = new RegExp(`export const ${name} = '([^']+)'`).exec(readFileSync(file, 'utf8'))?.[1];
    if (value !== undefined) return value;
  }
  throw new Error(`src/app.ts names ${name}, whose value is not a string constant under src/`);
}

function valuesOf(list: string): string[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => /^'([^']*)'$/.exec(item)?.[1] ?? constantValue(item));
}

const known = /knownPathsOnly\(\s*\[([\s\S]*?)\],\s*\[([\s\S]*?)\],?\s*\)/.exec(app);
const paths = known ? valuesOf(known[1]!) : [];
const prefixes = known ? valuesOf(known[2]!) : [];
const before = app.slice(app.indexOf('plugins: ['), app.indexOf('knownPathsOnly(\n'));
const callsBefore = [...before.matchAll(/(\w+)\(/g)].map((match) => match[1]!);
const ownRoutes = callsBefore.map((call) => servingBeforeKnownPaths[call]).filter((route) => route != null);

const rows = sectionRows(readFileSync(join(root, guide), 'utf8'), 'HTTP routes');
const routes = rows.map((row) => firstCode(row.cells[0]!) ?? `(no route in line ${row.line})`);

describe(`the HTTP routes of ${guide}`, () => {
  it('reads the routes of src/app.ts', () => {
    expect(known, 'src/app.ts calls knownPathsOnly([paths], [prefixes])').not.toBeNull();
    expect(paths).toEqual(expect.arrayContaining(['/graphql', '/healthz', '/evidence/bundle']));
    expect(prefixes.length).toBeGreaterThan(0);
    const unknown = callsBefore.filter((call) => !(call in servingBeforeKnownPaths));
    expect(
      unknown,
      'plugins before knownPathsOnly in src/app.ts that this test does not know: add each to servingBeforeKnownPaths with the path it serves',
    ).toEqual([]);
    expect(ownRoutes.length).toBeGreaterThan(0);
  });

  it('lists every route the app serves', () => {
    const missing = [
      ...paths.filter((path) => !routes.includes(path)),
      ...[...prefixes, ...ownRoutes].filter((prefix) => !routes.some((route) => route.startsWith(prefix))),
    ];
    expect(missing, `routes served by src/app.ts that the table of ${guide} lacks`).toEqual([]);
  });

  it('lists no route the app does not serve', () => {
    const stale = routes.filter(
      (route) =>
        !paths.includes(route) && ![...prefixes, ...ownRoutes].some((prefix) => route.startsWith(prefix)),
    );
    expect(stale).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    expect(brokenReferences(root, guide)).toEqual([]);
  });

  describe('over the app', () => {
    let database: TestDatabase;
    let served: App;
    let slug: string;
    beforeAll(async () => {
      database = await openTestDatabase();
      slug = (await makeController(database.prisma)).slug;
      served = createApp({ config: { environment: 'test' }, database, logger: createLogger('silent') });
    });
    afterAll(async () => {
      await database?.close();
    });

    it.each(
      rows.map((row) => [firstCode(row.cells[0]!)!, row.cells[1]!] as const),
    )('%s is served', async (route, method) => {
      const path = route
        .replace('<slug>', slug)
        .replace('<key>', 'privacy-policy')
        .replace('/graphiql/…', '/graphiql/graphiql.css')
        .replace('…', 'checkpoint');
      const post = method.startsWith('POST');
      const response = await served.fetch(
        new Request(`http://notarium.test${path}`, {
          method: post ? 'POST' : 'GET',
          ...(post ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}),
        }),
      );
      const body = await response.text();
      expect(body, `${relative(root, join(root, guide))}: ${route}`).not.toContain('Nothing is served at');
      expect(response.status).toBeLessThan(500);
    });
  });
});
