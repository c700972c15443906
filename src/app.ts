import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createPubSub, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { type Config, developmentSubjectRefSecret } from './config/env.js';
import type { Database } from './db/database.js';
import { checkReadiness } from './db/readiness.js';
import { authenticationMessages } from './domain/errors.js';
import { admission, admit } from './graphql/authentication.js';
import { type HttpCachingOptions, httpCaching } from './graphql/conditional-get.js';
import type { Context } from './graphql/context.js';
import { errorResponse, jsonResponse } from './graphql/http-responses.js';
import { storableTextOnly } from './graphql/input-guards.js';
import { costError, defaultQueryLimits, type QueryLimits, queryShapeRule } from './graphql/limits.js';
import { maskUnexpectedError } from './graphql/mask-errors.js';
import {
  invalidatingLocally,
  listenForChanges,
  NoticeReadCache,
  type NoticeReadCacheOptions,
} from './graphql/notice-read-cache.js';
import { defaultParserLimits, type ParserLimits, parserLimits } from './graphql/parser-limits.js';
import { bindPrismaClient } from './graphql/prisma-binding.js';
import { memoryRateLimiter, type RateLimiter } from './graphql/rate-limit.js';
import { noSuggestions, requestErrorsAre400 } from './graphql/result-status.js';
import { schema } from './graphql/schema.js';
import { createServices } from './graphql/services.js';
import { loadTrustedDocuments, trustedDocuments } from './graphql/trusted-documents.js';
import type { Logger } from './log/logger.js';
import { currentRequestId, requestIdFrom, runInRequestScope } from './log/request-scope.js';
import type { Viewer } from './modules/access/access.policy.js';
import type { ApiKeyCache } from './modules/api-key/key-cache.js';
import { evidenceBundleResponse } from './modules/evidence/evidence-route.js';
import type { NoticePubSub } from './modules/notice/notice.events.js';
import { SubjectRefHasher } from './modules/subject/subject-ref.js';

export interface AppDependencies {
  readonly config: Pick<Config, 'environment'>;
  readonly database: Database;
  readonly logger: Logger;
  /** Where published-version events go; in-process unless the server passes a Redis-backed bus. */
  readonly events?: NoticePubSub;
  /** Master secret for subject references; tests and development use the built-in one. */
  readonly subjectRefSecret?: string;
  /** Active API keys kept in memory for a few seconds; without it every request looks its key up. */
  readonly keyCache?: ApiKeyCache;
  /** Abuse limits; defaults suit production. */
  readonly limits?: {
    readonly query?: QueryLimits;
    readonly parser?: ParserLimits;
    readonly bodyBytes?: number;
    readonly rateLimiter?: RateLimiter;
  };
  /** The response cache of trusted-document GETs and their HTTP caching headers (docs/caching.md). */
  readonly readCache?: NoticeReadCacheOptions & HttpCachingOptions;
}

export interface App {
  /** The Fetch API handler: what the HTTP server and the tests call. */
  fetch(request: Request): Promise<Response>;
  readonly yoga: YogaServerInstance<Record<string, unknown>, Context>;
}

export const defaultBodyBytes = 16 * 1024 * 1024;

/**
 * Refuses oversized bodies before they are read (413). Over HTTP the server also refuses bodies
 * without a Content-Length (411, see server.ts), so every body is measured.
 */
function bodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const declared = request.headers.get('content-length');
      if (declared !== null && Number(declared) > maxBytes) {
        endResponse(errorResponse(413, 'PAYLOAD_TOO_LARGE', `The body exceeds ${maxBytes} bytes.`));
      }
    },
  };
}

function queryLimits(limits: QueryLimits, production: boolean): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(queryShapeRule(limits));
      if (production) addValidationRule(NoSchemaIntrospectionCustomRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const error = costError(args.document, args.variableValues ?? {}, args.operationName, limits.maxCost);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = costError(args.document, args.variableValues ?? {}, args.operationName, limits.maxCost);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/**
 * Only these paths are served. graphql-yoga would also treat `/graphql/` or any path ending in
 * `/graphql` as the endpoint; answering everything else 404 first means no request reaches
 * GraphQL without passing admission.
 */
function knownPathsOnly(paths: readonly string[]): Plugin {
  return {
    onRequest({ url, endResponse }) {
      if (!paths.includes(url.pathname))
        endResponse(errorResponse(404, 'NOT_FOUND', `Nothing is served at ${url.pathname}.`));
    },
  };
}

/** The evidence-bundle download: authenticated like GraphQL, streamed, audited by the export. */
function evidenceEndpoint(database: Database, rateLimiter: RateLimiter, keyCache?: ApiKeyCache): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== '/evidence/bundle') return;
      const admitted = await admit(database, rateLimiter, request, keyCache);
      endResponse(
        admitted instanceof Response ? admitted : await evidenceBundleResponse(database, admitted, url),
      );
    },
  };
}

function healthEndpoints(database: Database): Plugin {
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname === '/healthz') {
        endResponse(jsonResponse(200, { status: 'ok' }));
      } else if (url.pathname === '/readyz') {
        const readiness = await checkReadiness(database);
        endResponse(jsonResponse(readiness.ready ? 200 : 503, readiness));
      }
    },
  };
}

const requestIdHeader: Plugin = {
  onResponse({ response }) {
    const requestId = currentRequestId();
    if (requestId !== undefined) response.headers.set('x-request-id', requestId);
  },
};

function accessLog(logger: Logger): Plugin {
  const started = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      started.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const url = new URL(request.url);
      logger.info('request', {
        method: request.method,
        path: url.pathname,
        status: response.status,
        durationMs: Math.round((performance.now() - (started.get(request) ?? performance.now())) * 10) / 10,
      });
    },
  };
}

export function createApp({
  config,
  database,
  logger,
  events = createPubSub(),
  subjectRefSecret = developmentSubjectRefSecret,
  limits = {},
  readCache = {},
  keyCache,
}: AppDependencies): App {
  const cache = new NoticeReadCache(readCache);
  listenForChanges(events, cache);
  const dependencies = {
    database,
    events: invalidatingLocally(events, cache),
    hasher: new SubjectRefHasher(subjectRefSecret),
    keyCache,
  };
  const rateLimiter = limits.rateLimiter ?? memoryRateLimiter(1_200);
  const production = config.environment === 'production';
  const graphqlEndpoint = '/graphql';
  const viewers = new WeakMap<Request, Viewer>();
  const documents = loadTrustedDocuments(schema);
  const caching = httpCaching({ ...readCache, database, cache, documents, viewers, graphqlEndpoint });
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint,
    landingPage: false,
    graphiql: production ? false : { title: 'Notarium', headers: '{"Authorization": "Bearer <your key>"}' },
    logging: {
      debug: (...args) => logger.debug(String(args[0])),
      info: (...args) => logger.info(String(args[0])),
      warn: (...args) => logger.warn(String(args[0])),
      error: (...args) => logger.error(String(args[0]), { detail: args[1] }),
    },
    maskedErrors: { maskError: maskUnexpectedError(logger) },
    plugins: [
      caching.responses,
      accessLog(logger),
      requestIdHeader,
      knownPathsOnly([graphqlEndpoint, '/healthz', '/readyz', '/evidence/bundle']),
      healthEndpoints(database),
      bodyLimit(limits.bodyBytes ?? defaultBodyBytes),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      evidenceEndpoint(database, rateLimiter, keyCache),
      admission(database, rateLimiter, graphqlEndpoint, viewers, !production, keyCache),
      caching.requests,
      trustedDocuments(documents),
      storableTextOnly(),
      parserLimits(limits.parser ?? defaultParserLimits, production),
      queryLimits(limits.query ?? defaultQueryLimits, production),
      requestErrorsAre400,
      ...(production ? [noSuggestions] : []),
    ],
    context: async ({ request, params }): Promise<Context> => {
      const viewer = viewers.get(request);
      // Unreachable: admission refuses every request to the endpoint that has no viewer.
      if (viewer === undefined) {
        throw new GraphQLError(authenticationMessages.UNAUTHENTICATED, {
          extensions: {
            code: 'UNAUTHENTICATED',
            http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } },
          },
        });
      }
      const requestId = currentRequestId() ?? 'none';
      const services = bindPrismaClient(createServices(dependencies, viewer), database.prisma);
      if (viewer.role === 'REGULATOR') {
        await services.regulator.recordQuery(params?.operationName ?? null, params?.query ?? '');
      }
      return Object.freeze({
        viewer,
        requestId,
        log: logger.child({ apiKeyId: viewer.apiKeyId, controllerId: viewer.controllerId }),
        services,
        signal: request.signal,
      });
    },
  });
  return {
    yoga,
    fetch: (request) =>
      runInRequestScope(requestIdFrom(request.headers.get('x-request-id')), async () => yoga.fetch(request)),
  };
}
