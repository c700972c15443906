import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { unexpectedRouteFailure } from '../../src/graphql/mask-errors.js';
import { createLogger } from '../../src/log/logger.js';
import { runInRequestScope } from '../../src/log/request-scope.js';
import { makeController } from '../support/factories.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The plain HTTP routes (not GraphQL) answer a failure that is not theirs like GraphQL does: a
 * coded 503 when the database is gone, never the error's stack, which the HTTP adapter would
 * otherwise send as a text/plain 500.
 */
describe('a plain HTTP route that fails', () => {
  let database: TestDatabase;
  let server: Server;
  let base: string;
  let slug: string;
  beforeAll(async () => {
    database = await openTestDatabase();
    slug = (await makeController(database.prisma)).slug;
    const app = createApp({ config: { environment: 'test' }, database, logger: createLogger('silent') });
    server = createServer((request, response) => app.yoga(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await database?.close();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After while the database is gone', async () => {
    const paths = [
      `/.well-known/jwks.json?controller=${slug}`,
      `/public/${slug}/log/checkpoint`,
      `/public/${slug}/notices/privacy-policy`,
    ];
    for (const path of paths) expect((await fetch(`${base}${path}`)).status, path).not.toBe(503);
    await database.close();
    for (const path of paths) {
      const response = await fetch(`${base}${path}`);
      const body = await response.text();
      expect({ path, status: response.status, retryAfter: response.headers.get('retry-after') }).toEqual({
        path,
        status: 503,
        retryAfter: '5',
      });
      expect(JSON.parse(body).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      expect(body).not.toMatch(/\n\s+at /);
    }
  });

  it('masks any other failure as INTERNAL_SERVER_ERROR with the request ID, and logs it in full', () => {
    const lines: string[] = [];
    const response = runInRequestScope('route-failure-1', () =>
      unexpectedRouteFailure(
        createLogger('info', (line) => lines.push(line)),
        new Error('secret detail'),
      ),
    );
    expect(response.status).toBe(500);
    return response.json().then((body: { errors: { message: string; extensions: unknown }[] }) => {
      expect(body.errors[0]!.extensions).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        requestId: 'route-failure-1',
      });
      expect(JSON.stringify(body)).not.toContain('secret detail');
      expect(lines.join('\n')).toContain('secret detail');
    });
  });
});
