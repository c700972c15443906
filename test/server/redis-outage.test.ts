import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { rateLimitRedisOptions, redisRateLimiter } from '../../src/graphql/rate-limit.js';
import type { CircuitBreaker, CircuitState } from '../../src/lib/circuit-breaker.js';
import { createLogger, type Logger } from '../../src/log/logger.js';
import { createEventBus, type EventBus, noticeTopic } from '../../src/modules/notice/notice.events.js';
import { startServer } from '../../src/server.js';
import { makeController, makeKey, makeTenant } from '../support/factories.js';
import {
  createDraft,
  inDays,
  notMaterial,
  publish,
  publishedNotice,
  translations,
} from '../support/notice-fixtures.js';
import { eventually, type Fetcher, type SseSubscription, subscribeSse } from '../support/sse.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';

const redisServerMissing = spawnSync('redis-server', ['--version']).error !== undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** One PING over a fresh connection: true on `+PONG`, false when refused or closed. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

/** A redis-server of this test's own on `port`, without persistence. */
class RedisServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly exited: Promise<unknown>,
  ) {}

  /** Resolves once it answers PING (polled); rejects if it exits first. */
  static async start(port: number): Promise<RedisServer> {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const exited = once(child, 'exit');
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    await eventually(
      async () => {
        if (gone) throw new Error(`redis-server on port ${port} exited before answering PING`);
        return pings(port);
      },
      `redis-server on port ${port} to answer PING`,
      30_000,
    );
    return new RedisServer(child, exited);
  }

  /** SIGSTOP / SIGCONT: Redis keeps its connections but stops answering, then carries on. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  /** SIGKILL: Redis disappears as in a crash. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

interface LogEntry {
  readonly level: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** A logger whose lines a test can count and wait for. */
function capturedLogger() {
  const entries: LogEntry[] = [];
  const waiters = new Set<() => void>();
  const logger: Logger = createLogger('info', (line) => {
    entries.push(JSON.parse(line) as LogEntry);
    for (const waiter of waiters) waiter();
  });
  const count = (message: string) => entries.filter((entry) => entry.message === message).length;
  /** Resolves once `message` has been logged `times` times in all. */
  const logged = (message: string, times = 1) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (count(message) < times) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { logger, entries, count, logged };
}

/** Resolves at once when the breaker is in `state`, else at its next change to it. */
function isOrReaches(breaker: CircuitBreaker, state: CircuitState): Promise<void> {
  return breaker.state === state ? Promise.resolve() : reaches(breaker, state);
}

/** Resolves at the breaker's next change to `state`. */
function reaches(breaker: CircuitBreaker, state: CircuitState): Promise<void> {
  return new Promise((resolve) => {
    const stop = breaker.onStateChange(({ to }) => {
      if (to !== state) return;
      stop();
      resolve();
    });
  });
}

/** An authenticated `{ viewer { keyName } }`: the HTTP status and the error code, if any. */
async function askViewer(fetcher: Fetcher, baseUrl: string, secret: string) {
  const response = await fetcher(
    new Request(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: '{ viewer { keyName } }' }),
    }),
  );
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code ?? null };
}

const unavailable = 'rate-limit redis unavailable, using in-process limits';
const back = 'rate-limit redis back';
const inProcessUrl = 'http://notarium.test';

describe.skipIf(redisServerMissing)(
  `with Redis stopped under it${redisServerMissing ? ' — skipped: no redis-server binary' : ''}`,
  { timeout: heavyTestTimeout },
  () => {
    let database: TestDatabase;
    let port: number;
    let redisUrl: string;
    let redis: RedisServer | undefined;
    const cleanups: (() => unknown)[] = [];
    beforeAll(async () => {
      database = await openTestDatabase();
    });
    afterAll(async () => {
      await database?.close();
    });
    beforeEach(async () => {
      port = await freePort();
      redisUrl = `redis://127.0.0.1:${port}`;
      redis = await RedisServer.start(port);
    });
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      await redis?.kill();
    });

    /** A plain client for looking into this test's Redis (quiet while Redis is stopped). */
    const inspect = () => {
      const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      client.on('error', () => {});
      cleanups.push(() => client.disconnect());
      return client;
    };

    /**
     * An app whose rate limiter counts in this test's Redis, through a connection made as the
     * server makes it, on a clock the test moves (from a window's start, by seconds only).
     */
    const limitedApp = async (perMinute: number) => {
      const log = capturedLogger();
      // The server's options, but a command timeout a loaded machine cannot hit by accident: a
      // stopped Redis refuses at once, and a paused one still times out, only later.
      const client = new Redis(redisUrl, { ...rateLimitRedisOptions, commandTimeout: 5_000 });
      await once(client, 'ready');
      const clock = { now: Math.floor(Date.now() / 60_000) * 60_000 };
      const limiter = redisRateLimiter(client, perMinute, { logger: log.logger, now: () => clock.now });
      cleanups.push(() => limiter.close());
      const app = createApp({
        config: { environment: 'test' },
        database,
        logger: createLogger('silent'),
        limits: { rateLimiter: limiter },
      });
      const controller = await makeController(database.prisma);
      const key = await makeKey(database.prisma, controller.id, 'READER');
      return {
        log,
        client,
        clock,
        breaker: limiter.breaker,
        rateKey: () => `notarium:rate:${key.id}:${Math.floor(clock.now / 60_000)}`,
        ask: () => askViewer(app.fetch, inProcessUrl, key.secret),
      };
    };

    it('the rate limiter falls back to in-process limits without touching Redis, probes after its back-off, and uses Redis again once it is back', async () => {
      const { log, client, clock, breaker, rateKey, ask } = await limitedApp(3);
      const sent = vi.spyOn(client, 'sendCommand');
      expect(await ask()).toEqual({ status: 200, code: null });
      expect(sent).toHaveBeenCalled();
      expect(await inspect().get(rateKey())).toBe('1');

      await redis!.kill();
      await isOrReaches(breaker, 'open');
      sent.mockClear();

      // Counted in process now, from zero: three more pass, the fourth is refused.
      const answers = [await ask(), await ask(), await ask(), await ask()];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(answers[3]!.code).toBe('RATE_LIMITED');
      expect(sent).not.toHaveBeenCalled();

      // After the back-off, one request starts one probe (a PING, refused at once: not connected)
      // and is itself answered in process; the failed probe opens the circuit again.
      clock.now += 1_000;
      const reopened = reaches(breaker, 'open');
      expect((await ask()).status).toBe(429);
      await reopened;
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['ping']);
      sent.mockClear();
      expect((await ask()).status).toBe(429);
      expect(sent).not.toHaveBeenCalled();
      expect(log.count(unavailable)).toBe(1);
      expect(log.count(back)).toBe(0);

      const closed = reaches(breaker, 'closed');
      redis = await RedisServer.start(port);
      await closed; // the client reconnected and the probe was answered
      expect(await ask()).toEqual({ status: 200, code: null });
      expect(await inspect().get(rateKey())).toBe('1'); // the restarted Redis started empty
      expect(log.count(unavailable)).toBe(1);
      expect(log.count(back)).toBe(1);
    });

    it('a Redis that stops answering fails the commands by their timeout and opens the circuit; it closes at the first probe Redis answers', async () => {
      const { log, client, clock, breaker, ask } = await limitedApp(100);
      expect((await ask()).status).toBe(200);

      const opened = reaches(breaker, 'open');
      redis!.pause();
      cleanups.push(() => redis!.resume());
      expect(await ask()).toEqual({ status: 200, code: null }); // after the command timeout, in process
      await opened;
      const sent = vi.spyOn(client, 'sendCommand');
      expect(await ask()).toEqual({ status: 200, code: null });
      expect(sent).not.toHaveBeenCalled();
      expect(log.entries.find((entry) => entry.message === unavailable)?.error).toBe('Command timed out');

      redis!.resume();
      const closed = reaches(breaker, 'closed');
      clock.now += 1_000;
      expect((await ask()).status).toBe(200); // starts the probe, answered in process
      await closed;
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual(['ping']);
      expect((await ask()).status).toBe(200);
      expect(sent.mock.calls.map(([command]) => command.name)).toEqual([
        'ping',
        'multi',
        'incr',
        'expire',
        'exec',
      ]);
      expect([log.count(unavailable), log.count(back)]).toEqual([1, 1]);
    });

    it('a server with REDIS_URL answers authenticated requests with Redis stopped, logs it once, and counts in Redis again when it is back', async () => {
      const log = capturedLogger();
      const config = {
        ...loadConfig({ PORT: '0', NODE_ENV: 'test', REDIS_URL: redisUrl }),
        migrateOnStart: false,
        seedDemo: false,
      };
      // Its own database: shutting the server down closes it.
      const ownDatabase = await openTestDatabase();
      const running = await startServer(config, log.logger, { database: ownDatabase });
      cleanups.push(() => running.shutdown());
      const controller = await makeController(ownDatabase.prisma);
      const key = await makeKey(ownDatabase.prisma, controller.id, 'READER');
      const ask = () => askViewer(fetch, running.url, key.secret);
      const probe = inspect();
      const rateKeys = () => probe.keys(`notarium:rate:${key.id}:*`);

      // Until its connection is up the limiter counts in process; wait for it to count in Redis.
      await eventually(
        async () => (await ask()).status === 200 && (await rateKeys()).length === 1,
        'a request to be counted in Redis',
      );
      // On a loaded machine a request may have hit the 250 ms timeout meanwhile (an outage and a
      // recovery, each logged once): count from here.
      const before = { unavailable: log.count(unavailable), back: log.count(back) };

      const outage = log.logged(unavailable, before.unavailable + 1);
      await redis!.kill();
      await outage;
      for (let request = 0; request < 5; request += 1)
        expect(await ask()).toEqual({ status: 200, code: null });
      expect(log.count(unavailable)).toBe(before.unavailable + 1);
      expect(log.entries.find((entry) => entry.message === unavailable)?.level).toBe('warn');

      const recovered = log.logged(back, before.back + 1);
      redis = await RedisServer.start(port);
      await recovered;
      expect(await ask()).toEqual({ status: 200, code: null });
      expect(await rateKeys()).toHaveLength(1);
      expect(log.count(unavailable)).toBe(before.unavailable + 1);
      expect(log.count(back)).toBe(before.back + 1);
    });

    it('publishing a notice version with Redis stopped completes and is logged once; subscribers hear publications again once Redis is back', async () => {
      const log = capturedLogger();
      const bus: EventBus = createEventBus(redisUrl, { logger: log.logger });
      cleanups.push(() => bus.close());
      const app: App = createApp({
        config: { environment: 'test' },
        database,
        logger: createLogger('silent'),
        events: bus.pubsub,
      });
      const { controller, keys } = await makeTenant(database.prisma);
      // The first version through an app without Redis: a publish made while the bus is still
      // connecting waits for the connection and could reach the subscriber below.
      const setUpApp = createApp({
        config: { environment: 'test' },
        database,
        logger: createLogger('silent'),
      });
      await publishedNotice(setUpApp, keys.EDITOR, 'privacy-policy');
      const publishNext = async (text: string) =>
        publish(
          app,
          keys.EDITOR,
          await createDraft(app, keys.EDITOR, {
            noticeKey: 'privacy-policy',
            purposeKeys: ['privacy-policy-p'],
            translations: translations(text),
            effectiveFrom: inDays(0),
          }),
          undefined,
          notMaterial,
        );
      const channel = `noticeVersionPublished:${noticeTopic(controller.id, 'privacy-policy')}`;
      const subscribed = async () => {
        const probe = inspect();
        await eventually(
          async () => ((await probe.pubsub('NUMSUB', channel)) as [string, number])[1] === 1,
          'the subscriber to be subscribed in Redis',
          30_000,
        );
      };
      const stream: SseSubscription = await subscribeSse(app.fetch, {
        url: inProcessUrl,
        query: 'subscription($k: String!) { noticeVersionPublished(noticeKey: $k) { number } }',
        variables: { k: 'privacy-policy' },
        key: keys.READER,
      });
      cleanups.push(() => stream.close());
      await subscribed();
      // Both connections are up once an event has gone through Redis.
      const second = await publishNext('Second text.');
      expect(await stream.next()).toEqual({ data: { noticeVersionPublished: { number: second.number } } });

      const lost = log.logged('redis event bus: connection lost, retrying', 2);
      await redis!.kill();
      await lost;
      const third = await publishNext('Third text.');
      const fourth = await publishNext('Fourth text.');
      expect([third.number, fourth.number]).toEqual([3, 4]);
      expect(log.count('redis event bus: publish failed')).toBe(1);

      const reconnected = log.logged('redis event bus: reconnected', 2);
      redis = await RedisServer.start(port);
      await reconnected;
      await subscribed();
      const fifth = await publishNext('Fifth text.');
      expect(await stream.next()).toEqual({ data: { noticeVersionPublished: { number: fifth.number } } });
      expect(log.count('redis event bus: publish failed')).toBe(1);
      expect(log.count('redis event bus: connection lost, retrying')).toBe(2);
    });
  },
);

describe('a Redis that was never reachable', () => {
  it('is reported once, and the limits apply in process meanwhile', async () => {
    const log = capturedLogger();
    const port = await freePort();
    const client = new Redis(`redis://127.0.0.1:${port}`, rateLimitRedisOptions);
    const limiter = redisRateLimiter(client, 2, { logger: log.logger });
    try {
      // A wrong REDIS_URL is not silent: the failed connection opens the circuit, logged once.
      await log.logged(unavailable);
      // ioredis keeps retrying the connection; each failure is an error event, none is logged again.
      await once(client, 'error');
      await once(client, 'error');
      expect([await limiter.take('key'), await limiter.take('key')]).toEqual([null, null]);
      expect(await limiter.take('key')).toBeGreaterThan(0);
      expect(log.count(unavailable)).toBe(1);
    } finally {
      limiter.close();
    }
  });
});
