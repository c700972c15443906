import type { Plugin } from 'graphql-yoga';

type OnRequest = NonNullable<Plugin['onRequest']>;

/** What graphql-yoga hands every `onRequest` hook: the request, its parsed URL, `endResponse`. */
export type RequestPayload = Parameters<OnRequest>[0];

/**
 * An `onRequest` hook that serves the requests `serves` picks and returns at once, without a
 * promise, for every other. Every request passes every route's hook: an `async` hook makes a promise
 * for each, which the server adapter chains and the request scope's async hooks track
 * (docs/performance.md, "Routes stay synchronous for the requests they do not serve").
 */
export function route(
  serves: (payload: RequestPayload) => boolean,
  serve: (payload: RequestPayload) => Promise<void> | void,
): OnRequest {
  return (payload) => (serves(payload) ? serve(payload) : undefined);
}
