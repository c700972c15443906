import type { Plugin } from 'graphql-yoga';
import { executedOperationName, safeOperationName } from '../metrics/operation-name.js';
import type { Logger } from './logger.js';

/**
 * One line per HTTP request: method, path (never the query string, which may carry variables),
 * status, duration, the GraphQL operation's name when it has a plain one, and (through the
 * logger) the request ID.
 */
export function accessLog(logger: Logger): Plugin {
  const started = new WeakMap<Request, number>();
  const operations = new WeakMap<Request, string>();
  const remember = (request: Request | undefined, name: string | null) => {
    if (request !== undefined && name !== null) operations.set(request, name);
  };
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onParams({ request, params }) {
      remember(request, safeOperationName(params.operationName));
    },
    onExecute({ args }) {
      const { request } = args.contextValue as { request?: Request };
      remember(request, executedOperationName(args.document, args.operationName));
    },
    onSubscribe({ args }) {
      const { request } = args.contextValue as { request?: Request };
      remember(request, executedOperationName(args.document, args.operationName));
    },
    onResponse({ request, response }) {
      const url = new URL(request.url);
      logger.info('request', {
        method: request.method,
        path: url.pathname,
        operation: operations.get(request) ?? null,
        status: response.status,
        durationMs: Math.round((performance.now() - (started.get(request) ?? performance.now())) * 10) / 10,
      });
    },
  };
}
