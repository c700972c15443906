import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { createLogger } from '../../../src/log/logger.js';
import { ApiKeyCache } from '../../../src/modules/api-key/key-cache.js';
import {
  type KeyChangePropagation,
  propagateKeyChanges,
} from '../../../src/modules/api-key/key-cache-redis.js';
import { makeController, makeKey } from '../../support/factories.js';
import { openTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { appWithCache, codeOf, globalKeyId, post, revokeMutation } from './key-cache-support.js';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Resolves when `propagation` has applied the change of `apiKeyId` announced through Redis. */
function forgotten(propagation: KeyChangePropagation, apiKeyId: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (id: string) => {
      if (id !== apiKeyId) return;
      propagation.events.off('forgotten', listener);
      resolve();
    };
    propagation.events.on('forgotten', listener);
  });
}

// Two server instances, each with its own cache, linked only through Redis (one database).
describe.skipIf(!(await redisAnswers(redisUrl)))('API key cache across instances (Redis)', () => {
  let database: TestDatabase;
  const instances: { app: App; cache: ApiKeyCache; propagation: KeyChangePropagation }[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
    for (let n = 0; n < 2; n += 1) {
      const cache = new ApiKeyCache({ ttlMs: 300_000, maxEntries: 100 });
      const propagation = propagateKeyChanges(cache, redisUrl, createLogger('silent'));
      instances.push({ app: appWithCache(database, cache), cache, propagation });
    }
    await Promise.all(instances.map(({ propagation }) => propagation.subscribed));
  });
  afterAll(async () => {
    await Promise.all(instances.map(({ propagation }) => propagation.close()));
    await database?.close();
  });

  it('a key revoked through one instance is refused by the other once the message arrives', async () => {
    const [one, other] = instances as [(typeof instances)[0], (typeof instances)[0]];
    const controller = await makeController(database.prisma);
    const admin = await makeKey(database.prisma, controller.id, 'ADMIN');
    const reader = await makeKey(database.prisma, controller.id, 'READER');
    await post(other.app, reader.secret, '{ __typename }');
    const cached = await database.counter.measure(() => post(other.app, reader.secret, '{ __typename }'));
    expect(cached.result.status).toBe(200);
    expect(cached.count).toBe(0);

    const arrived = forgotten(other.propagation, reader.id);
    const revoked = await post(one.app, admin.secret, revokeMutation, { id: globalKeyId(reader.id) });
    expect(revoked.body.data).toEqual({ revokeApiKey: { __typename: 'RevokeApiKeyPayload' } });
    await arrived;
    const refused = await post(other.app, reader.secret, '{ __typename }');
    expect(refused.status).toBe(401);
    expect(codeOf(refused)).toBe('API_KEY_REVOKED');
  });

  it('serves nothing from memory until the subscription is in place', async () => {
    const cache = new ApiKeyCache({ ttlMs: 300_000, maxEntries: 100 });
    const propagation = propagateKeyChanges(cache, 'redis://127.0.0.1:1', createLogger('silent'));
    try {
      expect(cache.enabled).toBe(false);
    } finally {
      await propagation.close();
    }
  });
});
