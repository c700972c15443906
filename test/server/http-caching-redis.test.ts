import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { createLogger } from '../../src/log/logger.js';
import {
  createEventBus,
  type EventBus,
  type NoticeChangedEvent,
} from '../../src/modules/notice/notice.events.js';
import { graphql } from '../graphql/index.js';
import { execute, expectData } from '../support/client.js';
import { makeTenant } from '../support/factories.js';
import { createDraft, inDays, publish, publishedNotice, translations } from '../support/notice-fixtures.js';
import { redisProblem, testRedisUrl } from '../support/redis-reachable.js';
import { eventually, testWaitMs, withTimeout } from '../support/sse.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';
import { send, trustedGet } from './support/trusted-get.js';

const RetireAcrossProcesses = graphql(`
  mutation RetireAcrossProcesses($input: NoticeVersionIdInput!) {
    retireNoticeVersion(input: $input) {
      __typename
    }
  }
`);

const redisSkipReason = await redisProblem(testRedisUrl);

/** What one app's cache heard, and a way to wait until it hears a given event. */
function listener() {
  const heard: NoticeChangedEvent[] = [];
  let wake: () => void = () => {};
  return {
    heard,
    onInvalidate(event: NoticeChangedEvent) {
      heard.push(event);
      wake();
    },
    async hears(what: string, match: (event: NoticeChangedEvent) => boolean): Promise<void> {
      const found = new Promise<void>((resolve) => {
        const check = () => (heard.some(match) ? resolve() : undefined);
        wake = check;
        check();
      });
      await withTimeout(found, testWaitMs(), what);
    },
  };
}

describe.skipIf(redisSkipReason !== null)(
  `the notice read cache across two app instances sharing Redis${redisSkipReason ? ` — skipped: ${redisSkipReason}` : ''}`,
  () => {
    let database: TestDatabase;
    let buses: EventBus[];
    let writer: App;
    let reader: App;
    const heardByReader = listener();

    beforeAll(async () => {
      database = await openTestDatabase();
      const logger = createLogger('silent');
      buses = [createEventBus(testRedisUrl, { logger }), createEventBus(testRedisUrl, { logger })];
      const [writerBus, readerBus] = buses as [EventBus, EventBus];
      const config = { environment: 'test' } as const;
      writer = createApp({ config, database, logger, events: writerBus.pubsub });
      reader = createApp({
        config,
        database,
        logger,
        events: readerBus.pubsub,
        readCache: { onInvalidate: (event) => heardByReader.onInvalidate(event) },
      });
      // Both buses' Redis connections are up once an event from one reaches the other's cache.
      const warmUp = { controllerId: randomUUID(), noticeKey: 'warm-up' };
      const probe = new Redis(testRedisUrl, { maxRetriesPerRequest: 1 });
      try {
        await eventually(async () => {
          writerBus.pubsub.publish('noticeChanged', warmUp);
          await probe.ping();
          return heardByReader.heard.some((event) => event.controllerId === warmUp.controllerId);
        }, 'the reader app to hear the writer through Redis');
      } finally {
        probe.disconnect();
      }
    });

    afterAll(async () => {
      await Promise.all((buses ?? []).map((bus) => bus.close()));
      await database?.close();
    });

    const readerStatements = async (request: Request) => {
      const { result, statements } = await database.counter.measure(() => send(reader, request));
      return { answer: result, statements: statements.filter((sql) => !sql.includes('"ApiKey"')) };
    };

    it(
      'drops the other instance’s cached answer when a version is published or retired',
      async () => {
        const { controller, keys } = await makeTenant(database.prisma);
        await publishedNotice(writer, keys.EDITOR, 'privacy-policy', 'core');
        const isThisNotice = (event: NoticeChangedEvent) =>
          event.controllerId === controller.id && event.noticeKey === 'privacy-policy';
        // Each publication's event is awaited before the read that follows it, and counted: an
        // event heard late would otherwise pass for the next one.
        await heardByReader.hears('the first publication to reach the reader app', isThisNotice);
        const read = () =>
          trustedGet(keys.READER, 'CurrentNotice', { noticeKey: 'privacy-policy', locale: 'en' });
        const first = await send(reader, read());
        expect(first.json?.data?.notice?.currentVersion?.number).toBe(1);
        expect((await readerStatements(read())).statements).toEqual([]);

        const heardBeforePublication = heardByReader.heard.filter(isThisNotice).length;
        const draft = await createDraft(writer, keys.EDITOR, {
          noticeKey: 'privacy-policy',
          purposeKeys: ['core'],
          effectiveFrom: inDays(0),
          translations: translations('Second version.'),
        });
        const version = await publish(writer, keys.EDITOR, draft, 'test');
        await heardByReader.hears(
          'the publication to reach the reader app',
          () => heardByReader.heard.filter(isThisNotice).length > heardBeforePublication,
        );
        const published = await readerStatements(read());
        expect(published.statements.length).toBeGreaterThan(0);
        expect(published.answer.json?.data?.notice?.currentVersion?.number).toBe(2);
        expect(published.answer.headers.get('etag')).not.toBe(first.headers.get('etag'));
        expect((await readerStatements(read())).statements).toEqual([]);

        const heardBefore = heardByReader.heard.filter(isThisNotice).length;
        const retired = expectData(
          await execute(writer, RetireAcrossProcesses, {
            key: keys.EDITOR,
            variables: { input: { id: version.id } },
          }),
        );
        expect(retired.retireNoticeVersion.__typename).toBe('NoticeVersionPayload');
        await heardByReader.hears(
          'the retirement to reach the reader app',
          () => heardByReader.heard.filter(isThisNotice).length > heardBefore,
        );
        const afterRetire = await send(reader, read());
        expect(afterRetire.json?.data?.notice?.currentVersion?.number).toBe(1);
        expect(afterRetire.headers.get('etag')).toBe(first.headers.get('etag'));
      },
      heavyTestTimeout,
    );
  },
);
