import { ImportError } from './import-error.js';

export interface GraphQLClient {
  readonly url: string;
  readonly apiKey: string;
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** Waits `ms`; rejects when `signal` aborts first. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Ctrl-C: stops waiting to retry (requests already sent are answered and counted). */
  readonly signal: AbortSignal;
}

/** Attempts of one request that the server answers 429 or 503 with Retry-After. */
const maxAttempts = 5;
const longestWaitSeconds = 60;

const keyHint = ' Check NOTARIUM_API_KEY.';
const hints: Record<string, string> = {
  UNAUTHENTICATED: keyHint,
  API_KEY_INVALID: keyHint,
  API_KEY_REVOKED: keyHint,
  API_KEY_EXPIRED: keyHint,
  FORBIDDEN: ' Importing needs a NOTIFIER or ADMIN key.',
  PAYLOAD_TOO_LARGE: ' Give a smaller --batch-size.',
  STATEMENT_TIMEOUT: ' Give a smaller --batch-size.',
};

interface GraphQLBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly { message?: string; extensions?: { code?: unknown } }[];
}

function unreachable(url: string, error: unknown): ImportError {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const reason = typeof cause?.code === 'string' ? cause.code : String(cause?.message ?? error);
  return new ImportError('IMPORT_SERVER_UNREACHABLE', `Cannot reach ${url} (${reason}).`);
}

async function bodyOf(url: string, response: Response): Promise<GraphQLBody> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as GraphQLBody;
    if (body !== null && typeof body === 'object') return body;
  } catch {}
  throw new ImportError(
    'IMPORT_BAD_RESPONSE',
    `${url} answered HTTP ${response.status} (${response.headers.get('content-type') ?? 'no content type'}), not GraphQL; --url must name the server's /graphql endpoint.`,
  );
}

/** Seconds to wait before sending again, or null when the answer is not one to retry. */
function retryAfter(response: Response, body: GraphQLBody): number | null {
  if (response.status !== 429 && response.status !== 503) return null;
  // A statement stopped for taking too long would take as long again.
  if (body.errors?.[0]?.extensions?.code === 'STATEMENT_TIMEOUT') return null;
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, longestWaitSeconds) : null;
}

/**
 * Sends one operation and answers its data. A 429 or 503 with Retry-After is sent again after
 * that wait (a few times); any other error of the request as a whole (a refused key, a role
 * without the mutation, an unreachable server) stops the import with its code.
 */
export async function request(
  client: GraphQLClient,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const body = JSON.stringify({ query, variables });
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await client.fetch(client.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${client.apiKey}`,
        },
        body,
      });
    } catch (error) {
      throw unreachable(client.url, error);
    }
    const answer = await bodyOf(client.url, response);
    const wait = retryAfter(response, answer);
    if (wait !== null && attempt < maxAttempts) {
      try {
        await client.sleep(wait * 1000, client.signal);
      } catch {
        throw new ImportError('IMPORT_INTERRUPTED', 'Interrupted while waiting to send again.');
      }
      continue;
    }
    const error = answer.errors?.[0];
    if (error !== undefined) {
      const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'GRAPHQL_ERROR';
      const hint = hints[code] ?? '';
      throw new ImportError(code, `${error.message ?? `HTTP ${response.status}`}${hint}`);
    }
    if (!answer.data) throw new ImportError('IMPORT_BAD_RESPONSE', `${client.url} answered without data.`);
    return answer.data;
  }
}
