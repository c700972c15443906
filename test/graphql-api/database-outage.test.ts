import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createPostgresAdapterFactory } from '../../src/db/adapters.js';
import { databaseFromFactory, poolFromUrl } from '../../src/db/database.js';
import { classifyDatabaseFailure } from '../../src/db/database-failure.js';
import { maskUnexpectedError } from '../../src/graphql/mask-errors.js';
import { createLogger } from '../../src/log/logger.js';
import { makeTenant } from '../support/factories.js';
import { openTestDatabase, testTarget } from '../support/test-database.js';

const viewerQuery = JSON.stringify({ query: '{ viewer { role } }' });

function request(key: string) {
  return new Request('http://notarium.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${key}`,
    },
    body: viewerQuery,
  });
}

/** A TCP relay to PostgreSQL that the test can stop and start: the database "restarting". */
class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    const address = this.server.address();
    if (address && typeof address === 'object') this.port = address.port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('a database that is down', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('maps the real driver errors of an unreachable server to SERVICE_UNAVAILABLE with Retry-After', async () => {
    const pool = poolFromUrl('postgresql://postgres@127.0.0.1:1/none', 1);
    const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end());
    cleanups.push(() => database.close());
    const failure = await database.prisma.apiKey.findFirst().catch((error: unknown) => error);
    expect(classifyDatabaseFailure(failure)).toBe('UNAVAILABLE');
    const raw = await database.prisma.$queryRaw`SELECT 1`.catch((error: unknown) => error);
    expect(classifyDatabaseFailure(raw)).toBe('UNAVAILABLE');
    const masked = maskUnexpectedError(createLogger('error', () => {}))(
      new GraphQLError('boom', { originalError: failure as Error, path: ['createNotice'] }),
    ) as GraphQLError;
    expect(masked.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(masked.extensions.http).toEqual({ status: 503, headers: { 'Retry-After': '5' } });
    expect(masked.message).not.toMatch(/127\.0\.0\.1|prisma|ECONNREFUSED/i);
  });

  it('tells a full disk from an outage, and leaves other errors to be masked', () => {
    expect(
      classifyDatabaseFailure({
        code: 'P2010',
        meta: { driverAdapterError: { cause: { originalCode: '53100' } } },
      }),
    ).toBe('STORAGE_FULL');
    expect(classifyDatabaseFailure(Object.assign(new Error('write failed'), { code: 'ENOSPC' }))).toBe(
      'STORAGE_FULL',
    );
    expect(classifyDatabaseFailure({ cause: { originalCode: '57P01' } })).toBe('UNAVAILABLE');
    expect(classifyDatabaseFailure(new Error('PGlite is closed'))).toBe('UNAVAILABLE');
    expect(classifyDatabaseFailure(new Error('relation "Controller" does not exist'))).toBeNull();
    expect(classifyDatabaseFailure({ cause: { originalCode: '23505' } })).toBeNull();
  });

  it.runIf(testTarget === 'postgres')(
    'answers 503 SERVICE_UNAVAILABLE while PostgreSQL is stopped under the app, and recovers when it returns',
    async () => {
      const test = await openTestDatabase();
      cleanups.push(() => test.close());
      const { keys } = await makeTenant(test.prisma);
      const target = new URL(test.url ?? '');
      const relay = new Relay(target.hostname, Number(target.port || 5432));
      await relay.open();
      cleanups.push(() => relay.stop());
      const relayed = new URL(target);
      relayed.port = String(relay.port);
      const pool = poolFromUrl(relayed.toString(), 2);
      const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end());
      cleanups.push(() => database.close());
      const app = createApp({
        config: { environment: 'test' },
        database,
        logger: createLogger('error', () => {}),
      });

      expect((await app.fetch(request(keys.READER))).status).toBe(200);
      await relay.stop();
      const down = await app.fetch(request(keys.READER));
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('5');
      const body = (await down.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((error) => error.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);
      expect((await app.fetch(request(keys.READER))).status).toBe(503);

      await relay.open();
      expect((await app.fetch(request(keys.READER))).status).toBe(200);
    },
  );

  it('answers 503 SERVICE_UNAVAILABLE once the database of the app has been closed', async () => {
    const test = await openTestDatabase();
    const { keys } = await makeTenant(test.prisma);
    const app = createApp({
      config: { environment: 'test' },
      database: test,
      logger: createLogger('error', () => {}),
    });
    expect((await app.fetch(request(keys.READER))).status).toBe(200);
    await test.close();
    const down = await app.fetch(request(keys.READER));
    expect(down.status).toBe(503);
    const body = (await down.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('SERVICE_UNAVAILABLE');
  });
});
