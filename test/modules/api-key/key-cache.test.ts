import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { hashSecret } from '../../../src/modules/api-key/api-key.secret.js';
import { authenticate } from '../../../src/modules/api-key/api-key.service.js';
import { ApiKeyCache } from '../../../src/modules/api-key/key-cache.js';
import { makeController, makeKey } from '../../support/factories.js';
import { openTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { appWithCache, codeOf, globalKeyId, post, revokeMutation, viewerQuery } from './key-cache-support.js';

describe('API key cache', () => {
  let database: TestDatabase;
  let cache: ApiKeyCache;
  let app: App;

  beforeAll(async () => {
    database = await openTestDatabase();
    cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 100 });
    app = appWithCache(database, cache);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('answers a cached key without a single SQL statement', async () => {
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER');
    const first = await database.counter.measure(() => post(app, key.secret, '{ __typename }'));
    expect(first.result.status).toBe(200);
    expect(first.count).toBeGreaterThan(0);
    const second = await database.counter.measure(() => post(app, key.secret, '{ __typename }'));
    expect(second.result.body).toEqual({ data: { __typename: 'Query' } });
    expect(second.count).toBe(0);
  });

  it('refuses a key revoked through the API on the very next request', async () => {
    const controller = await makeController(database.prisma);
    const admin = await makeKey(database.prisma, controller.id, 'ADMIN');
    const reader = await makeKey(database.prisma, controller.id, 'READER');
    await post(app, reader.secret, '{ __typename }');
    const cached = await database.counter.measure(() => post(app, reader.secret, '{ __typename }'));
    expect(cached.count).toBe(0);
    const revoked = await post(app, admin.secret, revokeMutation, { id: globalKeyId(reader.id) });
    expect(revoked.body.data).toEqual({ revokeApiKey: { __typename: 'RevokeApiKeyPayload' } });
    const refused = await post(app, reader.secret, '{ __typename }');
    expect(refused.status).toBe(401);
    expect(codeOf(refused)).toBe('API_KEY_REVOKED');
  });

  it('serves each key its own viewer, never another controller’s', async () => {
    const [first, second] = await Promise.all([
      makeController(database.prisma),
      makeController(database.prisma),
    ]);
    const keys = await Promise.all([
      makeKey(database.prisma, first.id, 'READER', { name: 'first' }),
      makeKey(database.prisma, second.id, 'READER', { name: 'second' }),
    ]);
    for (let round = 0; round < 2; round += 1) {
      const answers = await Promise.all(keys.map((key) => post(app, key.secret, viewerQuery)));
      expect(answers.map((answer) => answer.body.data?.viewer)).toEqual([
        { keyName: 'first', controller: { slug: first.slug } },
        { keyName: 'second', controller: { slug: second.slug } },
      ]);
    }
  });

  it('never caches an unknown secret: each attempt is looked up again, as without a cache', async () => {
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER');
    await post(app, key.secret, '{ __typename }');
    const unknown = `${key.secret.slice(0, -1)}${key.secret.endsWith('A') ? 'B' : 'A'}`;
    const sizeBefore = cache.size;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { result, count } = await database.counter.measure(() => post(app, unknown, '{ __typename }'));
      expect(codeOf(result)).toBe('API_KEY_INVALID');
      expect(count).toBe(1);
    }
    expect(cache.size).toBe(sizeBefore);
  });
});

describe('API key cache, at chosen times', () => {
  let database: TestDatabase;
  let clock = 0;
  const cacheAt = () => new ApiKeyCache({ ttlMs: 120_000, maxEntries: 100, now: () => clock });

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('refuses a key that expires while it is cached, without asking the database', async () => {
    const cache = cacheAt();
    const start = new Date('2030-01-01T00:00:00Z');
    clock = start.getTime();
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER', {
      expiresAt: new Date(start.getTime() + 10_000),
    });
    expect((await authenticate(database, key.secret, start, cache)).ok).toBe(true);
    clock += 10_000;
    const later = await database.counter.measure(() =>
      authenticate(database, key.secret, new Date(clock), cache),
    );
    expect(later.result).toEqual({ ok: false, code: 'API_KEY_EXPIRED' });
    expect(later.count).toBe(0);
  });

  it('writes lastUsedAt at most once a minute, also from the cache', async () => {
    const cache = cacheAt();
    const start = new Date('2030-02-01T00:00:00Z');
    clock = start.getTime();
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER');
    const at = (offsetMs: number) =>
      database.counter.measure(() =>
        authenticate(database, key.secret, new Date(start.getTime() + offsetMs), cache),
      );
    expect((await at(0)).count).toBe(2); // the lookup, then the first lastUsedAt
    clock += 30_000;
    expect((await at(30_000)).count).toBe(0);
    clock += 31_000;
    const touched = await at(61_000);
    expect(touched.count).toBe(1);
    expect(touched.statements[0]).toMatch(/^UPDATE/);
    const row = await database.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.lastUsedAt).toEqual(new Date(start.getTime() + 61_000));
  });

  it('looks a key up again once its entry is older than the TTL', async () => {
    const cache = cacheAt();
    clock = Date.now();
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER');
    const now = new Date();
    await authenticate(database, key.secret, now, cache);
    expect((await database.counter.measure(() => authenticate(database, key.secret, now, cache))).count).toBe(
      0,
    );
    clock += 120_000;
    const again = await database.counter.measure(() => authenticate(database, key.secret, now, cache));
    expect(again.count).toBe(1);
  });
});

describe('ApiKeyCache', () => {
  const key = (id: string) => ({
    id,
    controllerId: 'c',
    name: id,
    role: 'READER' as const,
    regulatorRequestId: null,
    trustedDocumentsOnly: false,
    expiresAt: null,
    lastUsedAt: null,
  });

  it('drops a row read before a key changed, so a revocation cannot be undone by a slow lookup', () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    const generation = cache.generation();
    cache.forget('k1');
    cache.set(hashSecret('s1'), key('k1'), generation);
    expect(cache.get(hashSecret('s1'))).toBeUndefined();
  });

  it('holds at most maxEntries keys, dropping the oldest', () => {
    const cache = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 2 });
    for (const id of ['k1', 'k2', 'k3']) cache.set(hashSecret(id), key(id), cache.generation());
    expect(cache.size).toBe(2);
    expect(cache.get(hashSecret('k1'))).toBeUndefined();
    expect(cache.get(hashSecret('k3'))?.id).toBe('k3');
  });

  it('keeps nothing with a TTL of 0, or while not live', () => {
    const off = new ApiKeyCache({ ttlMs: 0, maxEntries: 10 });
    off.set(hashSecret('k1'), key('k1'), off.generation());
    expect(off.size).toBe(0);
    const paused = new ApiKeyCache({ ttlMs: 60_000, maxEntries: 10 });
    paused.set(hashSecret('k1'), key('k1'), paused.generation());
    paused.setLive(false);
    expect(paused.get(hashSecret('k1'))).toBeUndefined();
    paused.set(hashSecret('k1'), key('k1'), paused.generation());
    expect(paused.size).toBe(0);
  });
});
