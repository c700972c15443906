/**
 * An error response in the GraphQL-over-HTTP shape, `{ errors: [{ message, extensions }] }`: as
 * JSON, or — for a subscriber asking for `text/event-stream` — as one `next` event and `complete`,
 * the frames graphql-yoga sends, so Server-Sent-Events clients read it like any other result.
 */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
  accept: string | null = null,
): Response {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
  if (accept?.includes('text/event-stream') && !accept.includes('application/json')) {
    return new Response(`event: next\ndata: ${body}\n\nevent: complete\ndata:\n\n`, {
      status,
      headers: { 'content-type': 'text/event-stream', ...headers },
    });
  }
  return new Response(body, { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
