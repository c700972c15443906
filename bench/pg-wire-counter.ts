import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a client and PostgreSQL that counts, without touching the client, the
 * statements it runs and the bytes PostgreSQL sends back. Statements are the frontend's Execute
 * ('E', extended protocol: what node-postgres sends for every parameterised query) and Query ('Q',
 * simple protocol) messages; bytes are everything the server writes to the client (row
 * descriptions, data rows, completions).
 */
export class PgWireCounter {
  statements = 0;
  bytesFromServer = 0;
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  /** Listens on a free local port and returns it. */
  async listen(): Promise<number> {
    const server = createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    return address.port;
  }

  snapshot(): { statements: number; bytesFromServer: number } {
    return { statements: this.statements, bytesFromServer: this.bytesFromServer };
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: Socket): void {
    const upstream = createConnection(this.upstreamPort, this.upstreamHost);
    this.sockets.add(client).add(upstream);
    const frontend = new FrontendMessages((type) => {
      if (type === 'E' || type === 'Q') this.statements++;
    });
    client.on('data', (chunk: Buffer) => {
      frontend.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      this.bytesFromServer += chunk.length;
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}

/** Splits the frontend byte stream into messages: the untyped startup message, then type + length. */
class FrontendMessages {
  private pending: Buffer = Buffer.alloc(0);
  private started = false;

  constructor(private readonly onMessage: (type: string) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (!this.started) {
        if (this.pending.length < 8) return;
        const length = this.pending.readInt32BE(0);
        if (this.pending.length < length) return;
        // An SSL or GSS encryption request (code 80877103 / 80877104) comes before the real startup.
        const code = this.pending.readInt32BE(4);
        if (code !== 80877103 && code !== 80877104) this.started = true;
        this.pending = this.pending.subarray(length);
        continue;
      }
      if (this.pending.length < 5) return;
      const length = this.pending.readInt32BE(1);
      if (this.pending.length < length + 1) return;
      this.onMessage(String.fromCharCode(this.pending[0]!));
      this.pending = this.pending.subarray(length + 1);
    }
  }
}
