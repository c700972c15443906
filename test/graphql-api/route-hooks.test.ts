import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { type RequestPayload, route } from '../../src/graphql/route.js';
import { isThenable } from '../../src/lib/thenable.js';
import { createLogger } from '../../src/log/logger.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Every request passes every route's `onRequest` hook. A route answers the requests it serves and
 * returns at once, without a promise, for every other one (src/graphql/route.ts): an `async` hook
 * would make a promise for each request the server gets.
 */
describe('route hooks', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  /** Runs every `onRequest` hook of the app as graphql-yoga would, and says which made a promise. */
  async function hooksFor(environment: 'production' | 'development', method: string, path: string) {
    const app = createApp({ config: { environment }, database, logger: createLogger('silent') });
    const plugins = (app.yoga as unknown as { plugins: Plugin[] }).plugins;
    const request = new app.yoga.fetchAPI.Request(`http://localhost${path}`, {
      method,
      headers: method === 'POST' ? { 'content-type': 'application/json', 'content-length': '2' } : {},
      body: method === 'POST' ? '{}' : undefined,
    });
    let answered: Response | undefined;
    const payload = {
      request,
      url: new URL(request.url),
      serverContext: {},
      fetchAPI: app.yoga.fetchAPI,
      requestHandler: () => new Response(),
      setRequestHandler: () => {},
      endResponse: (response: Response) => {
        answered ??= response;
      },
    } as unknown as RequestPayload;
    let promises = 0;
    for (const plugin of plugins) {
      if (answered !== undefined) break;
      const result = plugin.onRequest?.(payload);
      if (isThenable(result)) {
        promises += 1;
        await result;
      }
    }
    return { promises, status: answered?.status ?? null };
  }

  it('makes one promise for a GraphQL request, the admission of its key', async () => {
    for (const environment of ['production', 'development'] as const) {
      expect(await hooksFor(environment, 'POST', '/graphql')).toEqual({ promises: 1, status: 401 });
    }
  });

  it('makes one promise for a route that serves the request, and none for a path nothing serves', async () => {
    expect(await hooksFor('production', 'GET', '/healthz')).toEqual({ promises: 1, status: 200 });
    expect(await hooksFor('production', 'GET', '/nothing-here')).toEqual({ promises: 0, status: 404 });
  });

  it('calls the route only for the requests it serves', async () => {
    const served: string[] = [];
    const hook = route(
      ({ url }) => url.pathname === '/mine',
      async ({ url }) => {
        served.push(url.pathname);
      },
    );
    const payloadFor = (path: string) =>
      ({ url: new URL(`http://localhost${path}`) }) as unknown as RequestPayload;
    expect(hook(payloadFor('/other'))).toBeUndefined();
    await hook(payloadFor('/mine'));
    expect(served).toEqual(['/mine']);
  });
});
