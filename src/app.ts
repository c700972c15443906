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
import { graphiqlAssets, graphiqlRenderer } from './graphql/graphiql/graphiql.js';
import { errorResponse, jsonResponse } from './graphql/http-responses.js';
import { storableTextOnly } from './graphql/input-guards.js';
import { costError, defaultQueryLimits, type QueryLimits, queryShapeRule } from './graphql/limits.js';
import { maskUnexpectedError, unexpectedRouteFailure } from './graphql/mask-errors.js';
import {
  invalidatingLocally,
  listenForChanges,
  NoticeReadCache,
  type NoticeReadCacheOptions,
} from './graphql/notice-read-cache.js';
import { defaultParserLimits, type ParserLimits, parserLimits } from './graphql/parser-limits.js';
import { bindPrismaClient } from './graphql/prisma-binding.js';
import { memoryRateLimiter, type RateLimiter } from './graphql/rate-limit.js';
import { releaseRequestCaches, requestCacheKey } from './graphql/request-caches.js';
import { noSuggestions, requestErrorsAre400 } from './graphql/result-status.js';
import { type RequestPayload, route } from './graphql/route.js';
import { schema } from './graphql/schema.js';
import { createServices } from './graphql/services.js';
import { loadTrustedDocuments, trustedDocuments } from './graphql/trusted-documents.js';
import { installPromiseWithResolvers } from './lib/promise-with-resolvers.js';
import { isThenable } from './lib/thenable.js';
import { accessLog } from './log/access-log.js';
import type { Logger } from './log/logger.js';
import { currentRequestId, requestIdFrom, runInRequestScope } from './log/request-scope.js';
import { yogaLogging } from './log/yoga-logging.js';
import { metricsAccess, metricsPath, metricsPlugins } from './metrics/metrics.js';
import type { Viewer } from './modules/access/access.policy.js';
import { accessRequestResponse } from './modules/access-request/access-request-route.js';
import type { ApiKeyCache } from './modules/api-key/key-cache.js';
import {
  consentExportPath,
  consentExportResponse,
  jwksPath,
  jwksResponse,
} from './modules/consent-record/consent-record-routes.js';
import { evidenceBundleResponse } from './modules/evidence/evidence-route.js';
import type { NoticePubSub } from './modules/notice/notice.events.js';
import { publicPages } from './modules/public-page/public-page.route.js';
import { SubjectRefHasher } from './modules/subject/subject-ref.js';
import { publicLogPrefix, transparencyLogResponse } from './modules/transparency-log/log-route.js';
import type { WebhookSettings } from './modules/webhook/webhook.service.js';

installPromiseWithResolvers();

export interface AppDependencies {
  readonly config: Pick<Config, 'environment'> & Partial<Pick<Config, 'metricsToken'>>;
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
  /** OpenTelemetry spans of GraphQL operations (src/tracing/tracing.ts), when tracing is configured. */
  readonly tracing?: { readonly plugin: Plugin };
  /** The response cache of trusted-document GETs and their HTTP caching headers (docs/caching.md). */
  readonly readCache?: NoticeReadCacheOptions & HttpCachingOptions;
  /** Webhook endpoint rules (WEBHOOK_ALLOW_PRIVATE_NETWORKS); private networks refused by default. */
  readonly webhooks?: WebhookSettings;
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
function knownPathsOnly(paths: readonly string[], prefixes: readonly string[] = []): Plugin {
  return {
    onRequest({ url, endResponse }) {
      if (!paths.includes(url.pathname) && !prefixes.some((prefix) => url.pathname.startsWith(prefix)))
        endResponse(errorResponse(404, 'NOT_FOUND', `Nothing is served at ${url.pathname}.`));
    },
  };
}

/** The access-report download (GDPR Art. 15): authenticated like GraphQL, audited by the report. */
function accessRequestEndpoint(
  database: Database,
  rateLimiter: RateLimiter,
  hasher: SubjectRefHasher,
  keyCache?: ApiKeyCache,
): Plugin {
  return {
    onRequest: route(
      ({ url }) => url.pathname === '/access-request',
      async ({ request, endResponse }) => {
        const admitted = await admit(database, rateLimiter, request, keyCache);
        endResponse(
          admitted instanceof Response
            ? admitted
            : await accessRequestResponse(database, admitted, hasher, request),
        );
      },
    ),
  };
}

/** The evidence-bundle download: authenticated like GraphQL, streamed, audited by the export. */
function evidenceEndpoint(database: Database, rateLimiter: RateLimiter, keyCache?: ApiKeyCache): Plugin {
  return {
    onRequest: route(
      ({ url }) => url.pathname === '/evidence/bundle',
      async ({ request, url, endResponse }) => {
        // Any other method, HEAD too, would run (and audit) an export.
        if (request.method !== 'GET') {
          endResponse(
            errorResponse(405, 'METHOD_NOT_ALLOWED', 'The evidence bundle is downloaded with GET.', {
              allow: 'GET',
            }),
          );
          return;
        }
        const admitted = await admit(database, rateLimiter, request, keyCache);
        endResponse(
          admitted instanceof Response ? admitted : await evidenceBundleResponse(database, admitted, url),
        );
      },
    ),
  };
}

/** The public transparency-log endpoints: no key, GET only (docs/transparency-log.md). */
function transparencyLogEndpoints(database: Database): Plugin {
  return {
    onRequest: route(
      ({ url }) => url.pathname.startsWith(publicLogPrefix),
      async ({ request, url, endResponse }) => {
        endResponse(
          (await transparencyLogResponse(database, request, url)) ??
            errorResponse(404, 'NOT_FOUND', `Nothing is served at ${url.pathname}.`),
        );
      },
    ),
  };
}

/** The receipt keys (public) and the consent-record download (authenticated like GraphQL). */
function consentRecordEndpoints(
  database: Database,
  hasher: SubjectRefHasher,
  rateLimiter: RateLimiter,
  keyCache?: ApiKeyCache,
): Plugin {
  return {
    onRequest: route(
      ({ url }) => url.pathname === jwksPath || url.pathname === consentExportPath,
      async ({ request, url, endResponse }) => {
        if (url.pathname === jwksPath) {
          endResponse(await jwksResponse(database, url));
          return;
        }
        const admitted = await admit(database, rateLimiter, request, keyCache);
        endResponse(
          admitted instanceof Response
            ? admitted
            : await consentExportResponse(database, hasher, admitted, url),
        );
      },
    ),
  };
}

/**
 * A route's `onRequest` that throws (the database gone, a bug) answers like GraphQL's errors do
 * instead of propagating: graphql-yoga does not catch it, and the HTTP adapter would send the
 * error's stack as the body.
 */
function failingSafely(plugin: Plugin, logger: Logger): Plugin {
  const { onRequest } = plugin;
  if (onRequest === undefined) return plugin;
  return {
    ...plugin,
    onRequest(payload) {
      try {
        const served = onRequest(payload);
        // Synchronous for the requests the route does not serve (src/graphql/route.ts).
        if (!isThenable(served)) return;
        return Promise.resolve(served).catch((error) => answerFailure(logger, payload, error));
      } catch (error) {
        answerFailure(logger, payload, error);
      }
    },
  };
}

function answerFailure(logger: Logger, payload: RequestPayload, error: unknown): void {
  payload.endResponse(unexpectedRouteFailure(logger, error, payload.request.headers.get('accept')));
}

function healthEndpoints(database: Database): Plugin {
  return {
    onRequest: route(
      ({ url }) => url.pathname === '/healthz' || url.pathname === '/readyz',
      async ({ url, endResponse }) => {
        if (url.pathname === '/healthz') {
          endResponse(jsonResponse(200, { status: 'ok' }));
        } else {
          const readiness = await checkReadiness(database);
          endResponse(jsonResponse(readiness.ready ? 200 : 503, readiness));
        }
      },
    ),
  };
}

const requestIdHeader: Plugin = {
  onResponse({ response }) {
    const requestId = currentRequestId();
    if (requestId !== undefined) response.headers.set('x-request-id', requestId);
  },
};

export function createApp({
  config,
  database,
  logger,
  events = createPubSub(),
  subjectRefSecret = developmentSubjectRefSecret,
  limits = {},
  readCache = {},
  keyCache,
  tracing,
  webhooks,
}: AppDependencies): App {
  const cache = new NoticeReadCache(readCache);
  listenForChanges(events, cache);
  const dependencies = {
    database,
    events: invalidatingLocally(events, cache),
    hasher: new SubjectRefHasher(subjectRefSecret),
    keyCache,
    webhooks,
  };
  const rateLimiter = limits.rateLimiter ?? memoryRateLimiter(1_200);
  const production = config.environment === 'production';
  const graphqlEndpoint = '/graphql';
  const safely = (plugin: Plugin) => failingSafely(plugin, logger);
  const viewers = new WeakMap<Request, Viewer>();
  const documents = loadTrustedDocuments(schema);
  const caching = httpCaching({ ...readCache, database, cache, documents, viewers, graphqlEndpoint });
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint,
    landingPage: false,
    // The body limit is ours (bodyLimit below, on the declared Content-Length, which the server
    // requires of every POST and Node's parser holds the body to). Yoga's own limit would pipe
    // every body through a stream transform of its own: measurable CPU on each request.
    maxRequestBodySize: false,
    graphiql: production ? false : { title: 'Notarium' },
    renderGraphiQL: graphiqlRenderer(schema),
    logging: yogaLogging(logger),
    maskedErrors: { maskError: maskUnexpectedError(logger) },
    plugins: [
      caching.responses,
      accessLog(logger),
      requestIdHeader,
      ...(tracing ? [tracing.plugin] : []),
      ...(production ? [] : [graphiqlAssets()]).map(safely),
      safely(publicPages(database)),
      knownPathsOnly(
        [
          graphqlEndpoint,
          '/healthz',
          '/readyz',
          '/evidence/bundle',
          jwksPath,
          consentExportPath,
          '/access-request',
          metricsPath,
        ],
        [publicLogPrefix],
      ),
      ...metricsPlugins(database, metricsAccess(config)).map(safely),
      safely(healthEndpoints(database)),
      safely(transparencyLogEndpoints(database)),
      bodyLimit(limits.bodyBytes ?? defaultBodyBytes),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      safely(evidenceEndpoint(database, rateLimiter, keyCache)),
      safely(consentRecordEndpoints(database, dependencies.hasher, rateLimiter, keyCache)),
      safely(accessRequestEndpoint(database, rateLimiter, dependencies.hasher, keyCache)),
      safely(admission(database, rateLimiter, graphqlEndpoint, viewers, !production, keyCache)),
      caching.requests,
      trustedDocuments(documents, viewers),
      storableTextOnly(),
      parserLimits(limits.parser ?? defaultParserLimits, production),
      queryLimits(limits.query ?? defaultQueryLimits, production),
      requestErrorsAre400,
      releaseRequestCaches,
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
        ...requestCacheKey(),
      });
    },
  });
  return {
    yoga,
    fetch: (request) =>
      runInRequestScope(requestIdFrom(request.headers.get('x-request-id')), async () => yoga.fetch(request)),
  };
}
