import { Agent, request } from 'node:http';

/** Something with a JSON body, as fetch's Response has. */
export interface Reply {
  json(): Promise<unknown>;
}
export type Send = (key: string, body: string) => Promise<Reply>;

/**
 * POST /graphql with node:http and kept-alive sockets. The load generator shares the machine with
 * the server, so it is kept lighter than fetch.
 */
export function httpSender(url: string): Send {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const target = new URL('/graphql', url);
  return (key, body) =>
    new Promise<Reply>((resolve, reject) => {
      const payload = Buffer.from(body);
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': payload.byteLength,
            authorization: `Bearer ${key}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ json: async () => JSON.parse(text) as unknown });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

export interface IngestResult {
  rows: number;
  seconds: number;
  rate: number;
  latencies: number[];
  accepted: number;
  duplicates: number;
  rejected: number;
}

/**
 * Sends the prepared batches with `inFlight` requests at a time; calls `progress` after each
 * request with the number of requests done and the seconds since the start.
 */
export async function ingest(
  send: Send,
  key: string,
  bodies: readonly string[],
  total: number,
  inFlight: number,
  progress?: (done: number, seconds: number) => void,
): Promise<IngestResult> {
  let next = 0;
  let done = 0;
  const result: IngestResult = {
    rows: total,
    seconds: 0,
    rate: 0,
    latencies: [],
    accepted: 0,
    duplicates: 0,
    rejected: 0,
  };
  const t0 = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const s = performance.now();
      const response = await send(key, body);
      const json = (await response.json()) as {
        data?: Record<
          string,
          { __typename: string; accepted?: number; duplicates?: number; rejected?: number; message?: string }
        >;
        errors?: unknown;
      };
      result.latencies.push(performance.now() - s);
      const payload = json.data ? Object.values(json.data)[0] : undefined;
      if (json.errors || payload?.__typename !== 'RecordNotificationsPayload')
        throw new Error(`batch failed: ${JSON.stringify(json.errors ?? payload).slice(0, 500)}`);
      result.accepted += payload.accepted!;
      result.duplicates += payload.duplicates!;
      result.rejected += payload.rejected!;
      done += 1;
      progress?.(done, (performance.now() - t0) / 1000);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  result.seconds = (performance.now() - t0) / 1000;
  result.rate = total / result.seconds;
  result.latencies.sort((a, b) => a - b);
  return result;
}
