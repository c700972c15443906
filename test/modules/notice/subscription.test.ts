import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { createPubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../src/app.js';
import { createLogger } from '../../../src/log/logger.js';
import {
  createEventBus,
  type EventBus,
  type NoticeEvents,
  noticeTopic,
} from '../../../src/modules/notice/notice.events.js';
import { makeKey, makeTenant } from '../../support/factories.js';
import {
  createDraft,
  inDays,
  notMaterial,
  publish,
  publishedNotice,
  translations,
} from '../../support/notice-fixtures.js';
import { redisProblem, testRedisUrl } from '../../support/redis-reachable.js';
import { type ServerProcess, startServerProcess } from '../../support/run-process.js';
import {
  eventually,
  type Fetcher,
  type SseSubscription,
  subscribeSse,
  testWaitMs,
  withTimeout,
} from '../../support/sse.js';
import { openTestDatabase, type TestDatabase, testTarget } from '../../support/test-database.js';
import { heavyTestTimeout } from '../../support/timeouts.js';

// A plain string, not graphql(): codegen has no subscription documents, and SSE needs the text anyway.
const WatchNotice = `
  subscription WatchNotice($noticeKey: String!) {
    noticeVersionPublished(noticeKey: $noticeKey) {
      number
      status
      noticeKey
      contentHash
      text(locale: "de") { locale title }
    }
  }
`;

const inProcessUrl = 'http://notarium.test';
const redisUrl = testRedisUrl;

const redisSkipReason = await redisProblem(redisUrl);
const processSkipReason =
  testTarget === 'postgres'
    ? redisSkipReason
    : 'needs TEST_DATABASE_URL: two processes cannot share one PGlite database';

/** The Redis channel the yoga pubsub uses for one notice of one controller. */
const channel = (controllerId: string, noticeKey: string) =>
  `noticeVersionPublished:${noticeTopic(controllerId, noticeKey)}`;

/** Waits until exactly `count` connections are subscribed to the channel in Redis. */
async function redisSubscribers(probe: Redis, name: string, count: number): Promise<void> {
  await eventually(
    async () => ((await probe.pubsub('NUMSUB', name)) as [string, number])[1] === count,
    `${count} Redis subscriber(s) on ${name}`,
  );
}

/**
 * One event from `from` to `to`, so that both buses' Redis connections are up before a test
 * publishes: a publish issued while connecting is queued and could reach a subscriber that
 * subscribed after it (with PGlite, the fixtures can run before the sockets even connect).
 */
async function warmUp(probe: Redis, from: EventBus, to: EventBus): Promise<void> {
  const topic = `warm-up-${randomUUID()}`;
  const events = to.pubsub.subscribe('noticeVersionPublished', topic)[Symbol.asyncIterator]();
  try {
    const received = events.next();
    await redisSubscribers(probe, `noticeVersionPublished:${topic}`, 1);
    from.pubsub.publish('noticeVersionPublished', topic, { versionId: 'warm-up' });
    expect((await withTimeout(received, testWaitMs(), 'the warm-up event')).value).toEqual({
      versionId: 'warm-up',
    });
  } finally {
    await events.return?.();
  }
}

/** An in-process event target that counts listeners per topic, so a test knows when a subscriber listens. */
class CountingEventTarget extends EventTarget {
  private readonly counts = new Map<string, number>();

  listeners(topic: string): number {
    return this.counts.get(`noticeVersionPublished:${topic}`) ?? 0;
  }

  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }

  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
    this.counts.set(type, (this.counts.get(type) ?? 0) - 1);
  }
}

/** A next version of a notice made by `publishedNotice` (same purpose, new text signed off: EDITORIAL). */
async function publishNextVersion(app: App, editorKey: string, noticeKey: string, text: string) {
  const draft = await createDraft(app, editorKey, {
    noticeKey,
    purposeKeys: [`${noticeKey}-p`],
    translations: translations(text),
    effectiveFrom: inDays(0),
  });
  return publish(app, editorKey, draft, undefined, notMaterial);
}

/** What the subscriber should receive for a published version. */
function delivered(version: { number: number | null; contentHash: string | null }, noticeKey: string) {
  return {
    data: {
      noticeVersionPublished: {
        number: version.number,
        status: 'PUBLISHED',
        noticeKey,
        contentHash: version.contentHash,
        text: { locale: 'de', title: 'Datenschutzhinweis' },
      },
    },
  };
}

/** One database for the whole file; every test makes its own controllers. */
let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('noticeVersionPublished over Server-Sent Events, one app (in-process events)', () => {
  const events = new CountingEventTarget();
  let app: App;
  beforeAll(() => {
    app = createApp({
      config: { environment: 'test' },
      database,
      logger: createLogger('silent'),
      events: createPubSub<NoticeEvents>({ eventTarget: events }),
    });
  });

  const watch = (key: string | null, noticeKey: string, method: 'GET' | 'POST' = 'POST') =>
    subscribeSse(app.fetch, {
      url: inProcessUrl,
      query: WatchNotice,
      variables: { noticeKey },
      key,
      method,
      // CSRF prevention refuses a GET without a non-simple header (a JSON POST is preflighted anyway).
      headers: method === 'GET' ? { 'x-graphql-yoga-csrf': '1' } : {},
    });

  it('streams each new version of the watched notice to a READER, once, and stops listening on close', async () => {
    const { controller, keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy');
    const topic = noticeTopic(controller.id, 'privacy-policy');

    const stream = await watch(keys.READER, 'privacy-policy');
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toBe('text/event-stream');
      await eventually(() => events.listeners(topic) === 1, 'the subscriber to listen');

      const second = await publishNextVersion(app, keys.EDITOR, 'privacy-policy', 'Second text.');
      expect(await stream.next()).toEqual(delivered(second, 'privacy-policy'));

      // A retried publish returns the same version and announces nothing; the next one arrives.
      expect(await publish(app, keys.EDITOR, second.id)).toEqual(second);
      const third = await publishNextVersion(app, keys.EDITOR, 'privacy-policy', 'Third text.');
      expect(await stream.next()).toEqual(delivered(third, 'privacy-policy'));
      expect(stream.pings).toBeGreaterThanOrEqual(1);
    } finally {
      await stream.close();
    }
    await eventually(() => events.listeners(topic) === 0, 'the listener to be removed');
  });

  it('delivers neither another notice nor another controller’s notice with the same key', async () => {
    const mine = await makeTenant(database.prisma);
    const theirs = await makeTenant(database.prisma);
    await publishedNotice(app, mine.keys.EDITOR, 'cookies');
    await publishedNotice(app, mine.keys.EDITOR, 'terms');
    await publishedNotice(app, theirs.keys.EDITOR, 'cookies');

    const myStream = await watch(mine.keys.READER, 'cookies');
    const theirStream = await watch(theirs.keys.READER, 'cookies', 'GET');
    try {
      expect([myStream.status, theirStream.status]).toEqual([200, 200]);
      await eventually(
        () =>
          events.listeners(noticeTopic(mine.controller.id, 'cookies')) === 1 &&
          events.listeners(noticeTopic(theirs.controller.id, 'cookies')) === 1,
        'both subscribers to listen',
      );
      // In-process delivery is synchronous: anything leaking would arrive before the expected event.
      await publishNextVersion(app, mine.keys.EDITOR, 'terms', 'Other notice.');
      const theirSecond = await publishNextVersion(app, theirs.keys.EDITOR, 'cookies', 'Their text.');
      const mySecond = await publishNextVersion(app, mine.keys.EDITOR, 'cookies', 'My text.');
      const theirThird = await publishNextVersion(app, theirs.keys.EDITOR, 'cookies', 'Their third.');

      expect(await myStream.next()).toEqual(delivered(mySecond, 'cookies'));
      expect(await theirStream.next()).toEqual(delivered(theirSecond, 'cookies'));
      expect(await theirStream.next()).toEqual(delivered(theirThird, 'cookies'));
    } finally {
      await Promise.all([myStream.close(), theirStream.close()]);
    }
  });

  it('refuses a subscription without a key: 401 UNAUTHENTICATED, no listener', async () => {
    const stream = await watch(null, 'privacy-policy');
    try {
      expect(stream.status).toBe(401);
      expect(stream.headers.get('www-authenticate')).toBe('Bearer');
      const result = await stream.next();
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(result.data).toBeUndefined();
    } finally {
      await stream.close();
    }
  });

  it('refuses a role that may not read notices (REGULATOR) when subscribing, not at the first event', async () => {
    const { controller } = await makeTenant(database.prisma);
    const regulator = await makeKey(database.prisma, controller.id, 'REGULATOR');
    const stream = await watch(regulator.secret, 'privacy-policy');
    try {
      const result = await stream.next();
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(result.data ?? null).toBeNull();
      expect(events.listeners(noticeTopic(controller.id, 'privacy-policy'))).toBe(0);
    } finally {
      await stream.close();
    }
  });
});

describe('the Redis event bus while Redis is unreachable', () => {
  it('keeps the process alive: publish and subscribe failures are logged, not thrown', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const logLines: string[] = [];
    const bus = createEventBus(`redis://127.0.0.1:${port}`, {
      logger: createLogger('info', (line) => logLines.push(line)),
    });
    const events = bus.pubsub
      .subscribe('noticeVersionPublished', 'controller:notice')
      [Symbol.asyncIterator]();
    try {
      const pending = events.next();
      bus.pubsub.publish('noticeVersionPublished', 'controller:notice', { versionId: 'lost' });
      // An unhandled rejection here would fail the run (and crash a server process).
      await eventually(
        () => logLines.some((line) => line.includes('redis event bus: publish failed')),
        'the failed publish to be logged',
      );
      expect(logLines.filter((line) => line.includes('connection lost')).length).toBeLessThanOrEqual(2);
      await events.return?.();
      expect(await pending).toEqual({ done: true, value: undefined });
    } finally {
      await withTimeout(bus.close(), testWaitMs(), 'the bus to close');
    }
  });
});

describe.skipIf(redisSkipReason !== null)(
  `noticeVersionPublished across two app instances sharing Redis${redisSkipReason ? ` — skipped: ${redisSkipReason}` : ''}`,
  () => {
    const logLines: string[] = [];
    let buses: EventBus[] = [];
    let probe: Redis;
    beforeAll(async () => {
      const logger = createLogger('info', (line) => logLines.push(line));
      buses = [createEventBus(redisUrl, { logger }), createEventBus(redisUrl, { logger })];
      probe = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      await warmUp(probe, buses[1]!, buses[0]!);
    });
    afterAll(async () => {
      await Promise.allSettled(buses.map((bus) => bus.close()));
      probe?.disconnect();
    });

    const appOn = (bus: EventBus) =>
      createApp({
        config: { environment: 'test' },
        database,
        logger: createLogger('silent'),
        events: bus.pubsub,
      });

    it('a version published on instance B reaches a subscriber on instance A', async () => {
      const [a, b] = buses.map(appOn) as [App, App];
      const mine = await makeTenant(database.prisma);
      const theirs = await makeTenant(database.prisma);
      await publishedNotice(b, mine.keys.EDITOR, 'privacy-policy');
      await publishedNotice(b, theirs.keys.EDITOR, 'privacy-policy');
      const name = channel(mine.controller.id, 'privacy-policy');

      const stream = await subscribeSse(a.fetch, {
        url: inProcessUrl,
        query: WatchNotice,
        variables: { noticeKey: 'privacy-policy' },
        key: mine.keys.READER,
      });
      try {
        await redisSubscribers(probe, name, 1);
        // Same publishing connection, same order: another controller's event would arrive first.
        await publishNextVersion(b, theirs.keys.EDITOR, 'privacy-policy', 'Their text.');
        const second = await publishNextVersion(b, mine.keys.EDITOR, 'privacy-policy', 'Second text.');
        expect(await stream.next()).toEqual(delivered(second, 'privacy-policy'));
      } finally {
        await stream.close();
      }
      await redisSubscribers(probe, name, 0);
      expect(logLines.filter((line) => line.includes('redis event bus'))).toEqual([]);
    });
  },
);

/** The fixtures take an App but only call its `fetch`: send those requests to a real server instead. */
function remoteApp(baseUrl: string): App {
  const send: Fetcher = async (request) =>
    fetch(new URL(new URL(request.url).pathname, baseUrl), {
      method: request.method,
      headers: request.headers,
      body: request.method === 'GET' ? undefined : await request.text(),
    });
  return { fetch: send } as unknown as App;
}

describe.skipIf(processSkipReason !== null)(
  `noticeVersionPublished across two server processes sharing Redis${processSkipReason ? ` — skipped: ${processSkipReason}` : ''}`,
  { timeout: heavyTestTimeout },
  () => {
    it('a subscriber on process 1 receives a version published through process 2; both stop cleanly', async () => {
      const probe = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      const servers: ServerProcess[] = [];
      let stream: SseSubscription | undefined;
      try {
        const { controller, keys } = await makeTenant(database.prisma);
        const env = {
          DATABASE_URL: database.url!,
          REDIS_URL: redisUrl,
          PORT: '0',
          NODE_ENV: 'test',
          MIGRATE_ON_START: 'false',
          SEED_DEMO: 'false',
          SHUTDOWN_TIMEOUT_MS: '1000',
        };
        const starts = await Promise.allSettled([startServerProcess(env), startServerProcess(env)]);
        for (const start of starts) if (start.status === 'fulfilled') servers.push(start.value);
        for (const start of starts) if (start.status === 'rejected') throw start.reason;
        const [one, two] = servers as [ServerProcess, ServerProcess];
        expect(one.url).not.toBe(two.url);
        const viaTwo = remoteApp(two.url);
        await publishedNotice(viaTwo, keys.EDITOR, 'privacy-policy');

        const watchOn = (server: ServerProcess) =>
          subscribeSse((request) => fetch(request), {
            url: server.url,
            query: WatchNotice,
            variables: { noticeKey: 'privacy-policy' },
            key: keys.READER,
          });
        stream = await watchOn(one);
        expect(stream.status).toBe(200);
        const name = channel(controller.id, 'privacy-policy');
        await redisSubscribers(probe, name, 1);

        const second = await publishNextVersion(viaTwo, keys.EDITOR, 'privacy-policy', 'Second text.');
        expect(await stream.next()).toEqual(delivered(second, 'privacy-policy'));

        await stream.close();
        await redisSubscribers(probe, name, 0);

        // A subscriber still connected at SIGTERM holds the shutdown only until SHUTDOWN_TIMEOUT_MS.
        stream = await watchOn(one);
        await redisSubscribers(probe, name, 1);
        expect(await one.stop()).toBe(0);
        await withTimeout(stream.done, testWaitMs(), 'the open event stream to end');
        expect(await two.stop()).toBe(0);
        for (const server of servers) {
          expect(server.lines.map((line) => line.message)).toEqual(
            expect.arrayContaining(['signal received', 'stopped']),
          );
          expect(server.lines.filter((line) => String(line.message).startsWith('redis event bus'))).toEqual(
            [],
          );
        }
      } finally {
        await stream?.close();
        for (const server of servers) server.kill();
        probe.disconnect();
      }
    }, 120_000);
  },
);
