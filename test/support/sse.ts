import type { ExecutionResult } from 'graphql';
import { getCurrentTest } from 'vitest/suite';
import { heavyTestTimeout } from './timeouts.js';

/** Anything that turns a Request into a Response: `app.fetch` in-process, or the global `fetch`. */
export type Fetcher = (request: Request) => Promise<Response>;

export interface SseFrame {
  /** `next` or `complete` (graphql-yoga's "distinct connections" SSE mode). */
  readonly event: string;
  readonly data: string;
}

export interface SseSubscription {
  readonly status: number;
  readonly headers: Headers;
  /**
   * The payload of the next `event: next` frame; rejects on `complete`, when the stream ends, or
   * after `timeoutMs` (by default, as long as the running test may last).
   */
  next<T = Record<string, unknown>>(timeoutMs?: number): Promise<ExecutionResult<T>>;
  /** Comment frames (`:` pings) seen so far: graphql-yoga sends one as soon as the stream opens. */
  readonly pings: number;
  /** Settles when the body ends, errors, or is cancelled. */
  readonly done: Promise<void>;
  /** Cancels the stream (the server then ends the subscription) and waits for the reader to stop. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Base URL: `http://notarium.test` for `app.fetch`, the server's URL for a real process. */
  readonly url: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly key?: string | null;
  /** POST (JSON body) or GET (query string), as graphql-sse / EventSource would. */
  readonly method?: 'GET' | 'POST';
  /** Extra request headers. */
  readonly headers?: Record<string, string>;
  /** How long to wait for the response headers (by default, as long as the running test may last). */
  readonly timeoutMs?: number;
}

/**
 * How long a wait lasts when its caller sets no limit: as long as the running test may (outside a
 * test, the limit of heavy tests). The waits here end on events (a frame, a listener, the stream's
 * end); how soon those come depends on the machine's load, so no shorter limit is imposed. The
 * limit stops a wait that the test's own timeout has already abandoned.
 */
export function testWaitMs(): number {
  return getCurrentTest()?.timeout ?? heavyTestTimeout;
}

/** Rejects with a message naming what was awaited when `promise` does not settle in time. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks until `check` returns true, for conditions that have no event to wait on (e.g. a count
 * of Redis subscribers); fails with `what` after `timeoutMs`. No fixed sleep between checks: an
 * asynchronous check is paced by its own round trip, and between checks the loop only yields to
 * pending I/O (setImmediate), so the wait ends as soon as the condition holds, however loaded
 * the machine.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = testWaitMs(),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** One frame of text (without its blank line) → event and data; null for a comment-only frame. */
function parseFrame(text: string): SseFrame | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 && event === 'message' ? null : { event, data: data.join('\n') };
}

/**
 * Opens a GraphQL subscription over Server-Sent Events and reads the body incrementally in the
 * background. Always `close()` it (in a finally block): that cancels the body, which ends the
 * subscription on the server.
 */
export async function subscribeSse(fetcher: Fetcher, options: SubscribeOptions): Promise<SseSubscription> {
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const endpoint = new URL('/graphql', options.url);
  const abort = new AbortController();
  let init: RequestInit;
  if (options.method === 'GET') {
    endpoint.searchParams.set('query', options.query);
    endpoint.searchParams.set('variables', JSON.stringify(options.variables ?? {}));
    init = { method: 'GET', headers, signal: abort.signal };
  } else {
    headers['content-type'] = 'application/json';
    const body = JSON.stringify({ query: options.query, variables: options.variables ?? {} });
    init = { method: 'POST', headers, body, signal: abort.signal };
  }
  const response = await withTimeout(
    fetcher(new Request(endpoint, init)),
    options.timeoutMs ?? testWaitMs(),
    'the subscription response',
  );
  if (response.body === null) throw new Error(`no body (status ${response.status})`);
  const reader = response.body.getReader();

  const frames: SseFrame[] = [];
  let pings = 0;
  let ended: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };

  const pump = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (frame) frames.push(frame);
          else pings += 1;
          notify();
        }
      }
      ended = new Error('the event stream ended');
    } catch (error) {
      ended = error instanceof Error ? error : new Error(String(error));
    } finally {
      notify();
    }
  })();

  return {
    status: response.status,
    headers: response.headers,
    done: pump,
    get pings() {
      return pings;
    },
    async next<T>(timeoutMs = testWaitMs()) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = frames.shift();
        if (frame?.event === 'next') return JSON.parse(frame.data) as ExecutionResult<T>;
        if (frame?.event === 'complete') throw new Error('the subscription completed');
        if (frame) continue;
        if (ended) throw ended;
        const remaining = deadline - Date.now();
        const timedOut = new Error(`no event within ${timeoutMs} ms (${pings} pings so far)`);
        if (remaining <= 0) throw timedOut;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve, reject) => {
          wake = resolve;
          timer = setTimeout(() => reject(timedOut), remaining);
        }).finally(() => clearTimeout(timer));
      }
    },
    async close() {
      await reader.cancel().catch(() => {});
      abort.abort();
      await withTimeout(pump, testWaitMs(), 'the SSE reader to stop');
    },
  };
}
