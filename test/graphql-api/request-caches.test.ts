import { contextCacheSymbol, createContextCache } from '@pothos/core';
import { RequestCache } from '@pothos/plugin-scope-auth';
import { describe, expect, it } from 'vitest';
import { builder } from '../../src/graphql/builder.js';
import { releaseRequestCaches, requestCacheKey } from '../../src/graphql/request-caches.js';

/** What the Pothos plugins do: one cache entry per request, under the context's cache key. */
const pluginCache = createContextCache(() => ({ rows: [] as unknown[] }));

type Done = (payload: { args: { contextValue: object }; result: unknown }) => void;

function executionDone(contextValue: object, result: unknown) {
  const hooks = releaseRequestCaches.onExecute!({} as never) as unknown as { onExecuteDone: Done };
  hooks.onExecuteDone({ args: { contextValue }, result });
}

describe('releasing the request caches when the execution is done (ADR 0050)', () => {
  it('drops the scope-auth cache and the key of the other Pothos caches', () => {
    const context: Record<PropertyKey, unknown> = { requestId: 'r', ...requestCacheKey() };
    const scopes = RequestCache.fromContext(context as never, builder as never);
    const cached = pluginCache(context);
    expect(RequestCache.fromContext(context as never, builder as never)).toBe(scopes);
    expect(pluginCache(context)).toBe(cached);

    executionDone(context, { data: {} });

    expect(context[contextCacheSymbol]).toBeUndefined();
    expect(RequestCache.fromContext(context as never, builder as never)).not.toBe(scopes);
    expect(pluginCache(context)).not.toBe(cached);
  });

  it('keeps them for a streamed result, which goes on resolving after execute returns', () => {
    const context: Record<PropertyKey, unknown> = { requestId: 's', ...requestCacheKey() };
    const key = context[contextCacheSymbol];
    const cached = pluginCache(context);
    const streamed = { async *[Symbol.asyncIterator]() {} };

    executionDone(context, streamed);

    expect(context[contextCacheSymbol]).toBe(key);
    expect(pluginCache(context)).toBe(cached);
  });

  it('gives every request a key of its own', () => {
    expect(requestCacheKey()[contextCacheSymbol]).not.toBe(requestCacheKey()[contextCacheSymbol]);
  });
});
