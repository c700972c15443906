import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Database } from '../db/database.js';
import type { Viewer } from '../modules/access/access.policy.js';
import { type CachedRead, type NoticeReadCache, noticeTag, unchangedUntil } from './notice-read-cache.js';
import { noticeKeyVariable, requestedDocumentId, type TrustedDocument } from './trusted-documents.js';

export interface HttpCachingOptions {
  /**
   * 0 (the default): `Cache-Control: private, no-cache`: browsers keep the answer and revalidate
   * it each time (a 304 when unchanged). Above 0: `public, s-maxage` up to this many seconds, so
   * that a CDN keyed on the Authorization header may serve it without asking (docs/caching.md).
   */
  readonly sharedMaxAgeSeconds?: number;
  /** The cache's clock (epoch ms); tests move it past an effective date. */
  readonly now?: () => number;
}

interface HttpCachingDependencies extends HttpCachingOptions {
  readonly database: Database;
  readonly cache: NoticeReadCache;
  readonly documents: ReadonlyMap<string, TrustedDocument>;
  readonly viewers: WeakMap<Request, Viewer>;
  readonly graphqlEndpoint: string;
}

/** A GET that may be answered from, and stored in, the cache. */
interface CacheableRead {
  readonly key: string;
  readonly tag: string;
  readonly generation: number;
  readonly controllerId: string;
  readonly noticeKey: string;
  readonly startedAt: Date;
}

/** JSON with object keys sorted, so that `{a,b}` and `{b,a}` are one cache entry. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function variablesOf(url: URL): Record<string, unknown> | null {
  const text = url.searchParams.get('variables');
  if (text === null) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null; // graphql-yoga answers the bad variables; nothing to cache
  }
}

/**
 * A GET of a trusted document by a viewer whose answers may be cached. REGULATOR keys never are:
 * each of their queries must reach the context, which records it. The key names the controller
 * and the role, so no entry is ever served to another tenant or another role.
 */
function cacheableRead(request: Request, dependencies: HttpCachingDependencies): CacheableRead | null {
  if (request.method !== 'GET') return null;
  const viewer = dependencies.viewers.get(request);
  if (viewer === undefined || viewer.role === 'REGULATOR') return null;
  const documentId = requestedDocumentId(request);
  if (documentId === null || !dependencies.documents.has(documentId)) return null;
  const url = new URL(request.url);
  if (url.searchParams.has('query')) return null;
  const variables = variablesOf(url);
  const noticeKey = variables?.[noticeKeyVariable];
  if (typeof noticeKey !== 'string') return null;
  const key = createHash('sha256')
    .update(
      stableJson([
        documentId,
        url.searchParams.get('operationName') ?? '',
        variables,
        request.headers.get('accept') ?? '',
        viewer.controllerId,
        viewer.role,
      ]),
    )
    .digest('base64url');
  const tag = noticeTag(viewer.controllerId, noticeKey);
  return {
    key,
    tag,
    generation: dependencies.cache.generation(tag),
    controllerId: viewer.controllerId,
    noticeKey,
    startedAt: new Date(),
  };
}

/** A strong validator: the SHA-256 of the exact bytes served. */
export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`. */
export function noneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

function cacheControl(entry: CachedRead, sharedMaxAgeSeconds: number, now: number): string {
  const secondsLeft = Math.floor((entry.expiresAt - now) / 1000);
  const shared = Math.min(sharedMaxAgeSeconds, secondsLeft);
  return shared > 0 ? `public, max-age=0, s-maxage=${shared}, must-revalidate` : 'private, no-cache';
}

/** 200 with the stored bytes, or 304 without a body when the client already holds them. */
function answer(
  request: Request,
  entry: CachedRead,
  base: Headers,
  dependencies: HttpCachingDependencies,
): Response {
  const headers = new Headers(base);
  const now = dependencies.now?.() ?? Date.now();
  headers.set('etag', entry.etag);
  headers.set('cache-control', cacheControl(entry, dependencies.sharedMaxAgeSeconds ?? 0, now));
  headers.set('vary', 'Authorization, Accept');
  if (noneMatch(request.headers.get('if-none-match'), entry.etag)) {
    headers.delete('content-type');
    headers.delete('content-length');
    return new Response(null, { status: 304, headers });
  }
  headers.set('content-type', entry.contentType);
  headers.delete('content-length');
  return new Response(entry.body, { status: 200, headers });
}

const jsonTypes = ['application/json', 'application/graphql-response+json'];

export interface HttpCaching {
  /** Answers a cached read before its request is parsed; put it after CSRF prevention and admission. */
  readonly requests: Plugin;
  /** Adds ETag and Cache-Control, stores fresh answers, turns matches into 304; put it first. */
  readonly responses: Plugin;
}

/**
 * HTTP caching of the frontend's notice reads: trusted-document GETs get a strong ETag and
 * conditional requests; their answers are kept in the in-memory cache per controller and role
 * until their notice changes (an event) or a published version takes effect (its effectiveFrom).
 * Every other answer of the GraphQL endpoint is `Cache-Control: no-store`: mutations, errors,
 * arbitrary POSTs, REGULATOR keys.
 */
export function httpCaching(dependencies: HttpCachingDependencies): HttpCaching {
  const { cache, database, graphqlEndpoint } = dependencies;
  const now = () => dependencies.now?.() ?? Date.now();
  const reads = new WeakMap<Request, CacheableRead>();
  const cleanResults = new WeakSet<Request>();
  const served = new WeakSet<Request>();

  const store = async (read: CacheableRead, response: Response): Promise<CachedRead | null> => {
    const contentType = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !jsonTypes.some((type) => contentType.startsWith(type))) return null;
    const body = await response.text();
    const unchanged = await unchangedUntil(database, read.controllerId, read.noticeKey, read.startedAt);
    if (unchanged === null) return null;
    const entry = {
      body,
      contentType,
      etag: strongEtag(body),
      expiresAt: Math.min(now() + cache.ttlMs, unchanged.until),
    };
    if (entry.expiresAt <= now()) return null; // a version took effect while it ran
    cache.store(read.key, read.tag, read.generation, entry);
    return entry;
  };

  return {
    requests: {
      onRequestParse({ request, endResponse }) {
        const read = cacheableRead(request, dependencies);
        if (read === null) return;
        const hit = cache.get(read.key, now());
        if (hit === null) {
          reads.set(request, read);
          return;
        }
        served.add(request);
        endResponse(answer(request, hit, new Headers(), dependencies));
      },
      onExecutionResult({ request, result }) {
        if (!reads.has(request) || !result || Array.isArray(result) || Symbol.asyncIterator in result) return;
        if (result.data && !result.errors?.length) cleanResults.add(request);
      },
    },
    responses: {
      async onResponse({ request, response, setResponse }) {
        if (served.has(request) || new URL(request.url).pathname !== graphqlEndpoint) return;
        const read = reads.get(request);
        const entry = read && cleanResults.has(request) ? await store(read, response.clone()) : null;
        if (entry === null) {
          response.headers.set('cache-control', 'no-store');
          return;
        }
        setResponse(answer(request, entry, response.headers, dependencies));
      },
    },
  };
}
