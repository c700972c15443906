import { contextCacheSymbol } from '@pothos/core';
import { RequestCache } from '@pothos/plugin-scope-auth';
import type { Plugin } from 'graphql-yoga';

/**
 * The key the Pothos plugins keep a request's caches under (scope checks, loading plans, loaders),
 * each in a module-level WeakMap. Those caches hold the context they were made for, so V8's
 * young-generation collections would keep every request's caches, and everything they reach,
 * alive until the next full collection (ADR 0050).
 */
export function requestCacheKey(): { readonly [contextCacheSymbol]: object } {
  return { [contextCacheSymbol]: {} };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * Lets go of the request's Pothos caches once its execution is done: the scope-auth cache is
 * dropped, and the context no longer holds the key of the others, so they are garbage from then on.
 * A streamed result (@defer, @stream) goes on resolving after execute returns, so it keeps them
 * (a full collection frees them). A cache asked for after this is made anew, never read stale.
 */
export const releaseRequestCaches: Plugin = {
  onExecute() {
    return {
      onExecuteDone({ args, result }) {
        if (isAsyncIterable(result)) return;
        const context = args.contextValue as object;
        RequestCache.clearForContext(context);
        // Yoga's context object, which copied the key from ours; a frozen one would keep it.
        Reflect.deleteProperty(context, contextCacheSymbol);
      },
    };
  },
};
