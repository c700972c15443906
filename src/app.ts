import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createPubSub, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { type Config, developmentSubjectRefSecret } from './config/env.js';
import type { Database } from './db/database.js';
import { checkReadiness } from './db/readiness.js';
import type { Context } from './graphql/context.js';
import { authenticationFailed, rateLimited } from './graphql/error-results.js';
import { costError, defaultQueryLimits, type QueryLimits, queryShapeRule } from './graphql/limits.js';
import { maskUnexpectedError } from './graphql/mask-errors.js';
import { memoryRateLimiter, type RateLimiter } from './graphql/rate-limit.js';
import { schema } from './graphql/schema.js';
import { createServices } from './graphql/services.js';
import type { Logger } from './log/logger.js';
import { currentRequestId, requestIdFrom, runInRequestScope } from './log/request-scope.js';
import { authenticate } from './modules/api-key/api-key.service.js';
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
  /** Abuse limits; defaults suit production. */
  readonly limits?: {
    readonly query?: QueryLimits;
    readonly bodyBytes?: number;
    readonly rateLimiter?: RateLimiter;
  };
}

export interface App {
  /** The Fetch API handler: what the HTTP server and the tests call. */
  fetch(request: Request): Promise<Response>;
  readonly yoga: YogaServerInstance<Record<string, unknown>, Context>;
}

function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
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
        endResponse(
          json(413, {
            errors: [
              { message: `The body exceeds ${maxBytes} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } },
            ],
          }),
        );
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
  };
}

/** The evidence-bundle download: authenticated like GraphQL, streamed, audited by the export. */
function evidenceEndpoint(database: Database, rateLimiter: RateLimiter): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== '/evidence/bundle') return;
      const authentication = await authenticate(database, bearerToken(request), new Date());
      if (!authentication.ok) {
        endResponse(
          json(401, {
            errors: [{ message: 'A valid API key is required.', extensions: { code: authentication.code } }],
          }),
        );
        return;
      }
      const retryAfter = await rateLimiter.take(authentication.viewer.apiKeyId);
      if (retryAfter !== null) {
        endResponse(
          json(429, { errors: [{ message: 'Rate limit exceeded.', extensions: { code: 'RATE_LIMITED' } }] }),
        );
        return;
      }
      endResponse(await evidenceBundleResponse(database, authentication.viewer, url));
    },
  };
}

function healthEndpoints(database: Database): Plugin {
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname === '/healthz') {
        endResponse(json(200, { status: 'ok' }));
      } else if (url.pathname === '/readyz') {
        const readiness = await checkReadiness(database);
        endResponse(json(readiness.ready ? 200 : 503, readiness));
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
}: AppDependencies): App {
  const dependencies = { database, events, hasher: new SubjectRefHasher(subjectRefSecret) };
  const rateLimiter = limits.rateLimiter ?? memoryRateLimiter(1_200);
  const production = config.environment === 'production';
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
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
      healthEndpoints(database),
      evidenceEndpoint(database, rateLimiter),
      bodyLimit(limits.bodyBytes ?? defaultBodyBytes),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
      queryLimits(limits.query ?? defaultQueryLimits, production),
      requestIdHeader,
      accessLog(logger),
    ],
    context: async ({ request, params }): Promise<Context> => {
      const authentication = await authenticate(database, bearerToken(request), new Date());
      if (!authentication.ok) throw authenticationFailed(authentication.code);
      const { viewer } = authentication;
      const retryAfter = await rateLimiter.take(viewer.apiKeyId);
      if (retryAfter !== null) throw rateLimited(retryAfter);
      const requestId = currentRequestId() ?? 'none';
      const services = createServices(dependencies, viewer);
      if (viewer.role === 'REGULATOR') {
        await services.regulator.recordQuery(params?.operationName ?? null, params?.query ?? '');
      }
      return Object.freeze({
        viewer,
        requestId,
        log: logger.child({ apiKeyId: viewer.apiKeyId, controllerId: viewer.controllerId }),
        services,
      });
    },
  });
  return {
    yoga,
    fetch: (request) =>
      runInRequestScope(requestIdFrom(request.headers.get('x-request-id')), async () => yoga.fetch(request)),
  };
}
