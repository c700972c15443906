import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { memoryRateLimiter } from '../../src/graphql/rate-limit.js';
import { createLogger } from '../../src/log/logger.js';
import { makeTenant } from '../support/factories.js';
import { useTestApp } from '../support/test-app.js';

async function post(
  app: ReturnType<typeof createApp>,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const body = JSON.stringify({ query, variables });
  const response = await app.fetch(
    new Request('http://notarium.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'content-length': String(body.length),
      },
      body,
    }),
  );
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as {
      data?: unknown;
      errors?: { message: string; extensions?: { code?: string } }[];
    },
  };
}

const codes = (result: Awaited<ReturnType<typeof post>>) =>
  (result.body.errors ?? []).map((error) => error.extensions?.code);

function nested(levels: number, inner: string): string {
  let query = inner;
  for (let level = 0; level < levels; level++)
    query = `notifications(first: 1) { edges { node { subject { ${query} } } } }`;
  return query;
}

describe('abuse limits', () => {
  const t = useTestApp();

  it('refuses a query deeper than the limit, also when the depth hides in a fragment named __schema', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const deep = await post(t.app, keys.AUDITOR, `{ subject(ref: "x") { ${nested(4, 'id')} } }`);
    expect(codes(deep)).toContain('QUERY_TOO_DEEP');
    const sneaky = await post(
      t.app,
      keys.AUDITOR,
      `{ subject(ref: "x") { ...__schema } } fragment __schema on Subject { ${nested(4, 'id')} }`,
    );
    expect(codes(sneaky)).toContain('QUERY_TOO_DEEP');
    const shallow = await post(t.app, keys.AUDITOR, `{ subject(ref: "x") { ${nested(1, 'id')} } }`);
    expect(shallow.body.errors).toBeUndefined();
  });

  it('refuses too many aliases and too costly page fan-out', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const aliases = Array.from({ length: 31 }, (_, index) => `a${index}: viewer { role }`).join(' ');
    expect(codes(await post(t.app, keys.READER, `{ ${aliases} }`))).toContain('TOO_MANY_ALIASES');
    const costly = `{ notices(first: 100) { edges { node { versions(first: 100) { edges { node { purposes { name } } } } } } } }`;
    expect(codes(await post(t.app, keys.READER, costly))).toContain('QUERY_TOO_COSTLY');
    const viaVariable = `query($n: Int) { notices(first: $n) { edges { node { versions(first: $n) { edges { node { purposes { name } } } } } } } }`;
    expect(codes(await post(t.app, keys.READER, viaVariable, { n: 100 }))).toContain('QUERY_TOO_COSTLY');
    expect((await post(t.app, keys.READER, viaVariable, { n: 10 })).body.errors).toBeUndefined();
  });

  it('caps page sizes at 100', async () => {
    const { controller, keys } = await makeTenant(t.database.prisma);
    await t.database.prisma.apiKey.createMany({
      data: Array.from({ length: 110 }, (_, index) => ({
        controllerId: controller.id,
        name: `bulk ${index}`,
        role: 'READER' as const,
        prefix: 'ntr_bulk',
        secretHash: `bulk-${controller.id}-${index}`,
      })),
    });
    const result = await post(
      t.app,
      keys.ADMIN,
      '{ apiKeys(first: 500) { edges { node { id } } pageInfo { hasNextPage } } }',
    );
    const data = result.body.data as { apiKeys: { edges: unknown[]; pageInfo: { hasNextPage: boolean } } };
    expect(data.apiKeys.edges).toHaveLength(100);
    expect(data.apiKeys.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses a body over the size limit with 413 before reading it', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const small = createApp({
      config: { environment: 'test' },
      database: t.database,
      logger: createLogger('silent'),
      limits: { bodyBytes: 2048 },
    });
    const result = await post(small, keys.READER, `{ viewer { role } } # ${'x'.repeat(3000)}`);
    expect(result.status).toBe(413);
    expect(codes(result)).toEqual(['PAYLOAD_TOO_LARGE']);
  });

  it('rate-limits per key with a coded 429 and Retry-After', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const limited = createApp({
      config: { environment: 'test' },
      database: t.database,
      logger: createLogger('silent'),
      limits: { rateLimiter: memoryRateLimiter(3) },
    });
    for (let index = 0; index < 3; index++)
      expect((await post(limited, keys.READER, '{ viewer { role } }')).status).toBe(200);
    const refused = await post(limited, keys.READER, '{ viewer { role } }');
    expect(refused.status).toBe(429);
    expect(codes(refused)).toEqual(['RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(limited, keys.ADMIN, '{ viewer { role } }')).status).toBe(200);
  });

  it('turns off introspection and GraphiQL in production, and blocks simple cross-site GETs and untrusted GETs', async () => {
    const { keys } = await makeTenant(t.database.prisma);
    const production = createApp({
      config: { environment: 'production' },
      database: t.database,
      logger: createLogger('silent'),
    });
    const introspection = await post(production, keys.READER, '{ __schema { types { name } } }');
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    expect(
      (await post(t.app, keys.READER, '{ __schema { queryType { name } } }')).body.errors,
    ).toBeUndefined();
    const page = await production.fetch(
      new Request('http://notarium.test/graphql', { headers: { accept: 'text/html' } }),
    );
    expect(await page.text()).not.toMatch(/graphiql/i);
    const crossSite = await t.app.fetch(
      new Request('http://notarium.test/graphql?query=%7Bviewer%7Brole%7D%7D', {
        headers: { authorization: `Bearer ${keys.READER}` },
      }),
    );
    expect(crossSite.status).toBe(403);
    const withHeader = await t.app.fetch(
      new Request('http://notarium.test/graphql?query=%7Bviewer%7Brole%7D%7D', {
        headers: {
          authorization: `Bearer ${keys.READER}`,
          'x-graphql-yoga-csrf': '1',
          accept: 'application/json',
        },
      }),
    );
    // Past CSRF prevention, a GET still runs only trusted documents (docs/caching.md).
    expect(withHeader.status).toBe(405);
    expect(JSON.stringify(await withHeader.json())).toContain('TRUSTED_DOCUMENT_REQUIRED');
  });
});
