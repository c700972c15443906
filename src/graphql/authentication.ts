import type { Plugin } from 'graphql-yoga';
import type { Database } from '../db/database.js';
import { classifyDatabaseFailure } from '../db/database-failure.js';
import { type AuthenticationCode, authenticationMessages } from '../domain/errors.js';
import type { Viewer } from '../modules/access/access.policy.js';
import { authenticate } from '../modules/api-key/api-key.service.js';
import type { ApiKeyCache } from '../modules/api-key/key-cache.js';
import { errorResponse } from './http-responses.js';
import { databaseFailureResponse } from './mask-errors.js';
import type { RateLimiter } from './rate-limit.js';
import { route } from './route.js';

export function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (header === null) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

function authenticationResponse(code: AuthenticationCode, accept: string | null): Response {
  return errorResponse(401, code, authenticationMessages[code], { 'WWW-Authenticate': 'Bearer' }, {}, accept);
}

function rateLimitedResponse(retryAfterSeconds: number, accept: string | null): Response {
  return errorResponse(
    429,
    'RATE_LIMITED',
    `Rate limit exceeded for this API key; retry in ${retryAfterSeconds} s.`,
    { 'Retry-After': String(retryAfterSeconds) },
    { retryAfterSeconds },
    accept,
  );
}

/** Authenticates and rate-limits a request; a Response when it must be refused, else the viewer. */
export async function admit(
  database: Database,
  rateLimiter: RateLimiter,
  request: Request,
  keyCache?: ApiKeyCache,
): Promise<Viewer | Response> {
  const accept = request.headers.get('accept');
  let authentication: Awaited<ReturnType<typeof authenticate>>;
  try {
    authentication = await authenticate(database, bearerToken(request), new Date(), keyCache);
  } catch (error) {
    const failure = classifyDatabaseFailure(error);
    if (failure === null) throw error;
    return databaseFailureResponse(failure, accept);
  }
  if (!authentication.ok) return authenticationResponse(authentication.code, accept);
  const retryAfter = await rateLimiter.take(authentication.viewer.apiKeyId);
  if (retryAfter !== null) return rateLimitedResponse(retryAfter, accept);
  return authentication.viewer;
}

function wantsGraphiql(request: Request): boolean {
  return request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
}

/**
 * Checks the API key and the rate limit as the request arrives, before its body is read, parsed
 * or validated: an anonymous or throttled caller costs one key lookup, however large or hostile
 * its document (none when its key is in `keyCache`). The viewer found is kept for the context.
 */
export function admission(
  database: Database,
  rateLimiter: RateLimiter,
  graphqlEndpoint: string,
  viewers: WeakMap<Request, Viewer>,
  graphiqlEnabled: boolean,
  keyCache?: ApiKeyCache,
): Plugin {
  return {
    onRequest: route(
      ({ request, url }) =>
        url.pathname === graphqlEndpoint &&
        request.method !== 'OPTIONS' &&
        !(graphiqlEnabled && wantsGraphiql(request)),
      async ({ request, endResponse }) => {
        const admitted = await admit(database, rateLimiter, request, keyCache);
        if (admitted instanceof Response) endResponse(admitted);
        else viewers.set(request, admitted);
      },
    ),
  };
}
