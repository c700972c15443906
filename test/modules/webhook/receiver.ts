import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Standard Webhooks verification, written from the spec (not with the sender's code). */
function verify(secret: string, id: string, timestamp: number, body: string, header: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
  return header.split(' ').includes(expected);
}

export type Behaviour = 'FAIL' | 'HANG' | 'OK';

export interface Received {
  readonly path: string;
  readonly id: string;
  readonly timestamp: number;
  readonly body: string;
  readonly signatureValid: boolean;
}

/**
 * A local webhook receiver: per path it answers 500, never answers, or answers 200. It verifies
 * each request's signature with the path's secret and, like a careful consumer, processes each
 * event ID once (a repeated ID is acknowledged and not processed again).
 */
export class Receiver {
  readonly received: Received[] = [];
  /** Event IDs processed, in order: each at most once. */
  readonly processed: string[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly secrets = new Map<string, string>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private readonly server = createServer((request, response) => void this.handle(request, response));
  url = '';

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  set(path: string, behaviour: Behaviour, secret?: string): void {
    this.behaviours.set(path, behaviour);
    if (secret) this.secrets.set(path, secret);
  }

  /** Resolves once `count` requests have arrived in all (their bodies read). */
  arrived(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  private async handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = request.url ?? '/';
    const id = String(request.headers['webhook-id']);
    const timestamp = Number(request.headers['webhook-timestamp']);
    const secret = this.secrets.get(path) ?? '';
    const signatureValid = verify(secret, id, timestamp, body, String(request.headers['webhook-signature']));
    this.received.push({ path, id, timestamp, body, signatureValid });
    for (const waiter of this.waiters.filter((entry) => this.received.length >= entry.count))
      waiter.resolve();
    const behaviour = this.behaviours.get(path) ?? 'FAIL';
    if (behaviour === 'HANG') {
      this.hanging.add(response);
      response.on('close', () => this.hanging.delete(response));
      return;
    }
    if (behaviour === 'FAIL' || !signatureValid) {
      response.writeHead(500).end();
      return;
    }
    if (!this.processed.includes(`${path} ${id}`)) this.processed.push(`${path} ${id}`);
    response.writeHead(204).end();
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}
