import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { createLogger } from '../../src/log/logger.js';
import type { NoticeChangedEvent } from '../../src/modules/notice/notice.events.js';
import { graphql } from '../graphql/index.js';
import { execute, expectData } from '../support/client.js';
import { makeKey, makeTenant } from '../support/factories.js';
import {
  createDraft,
  createNotice,
  createPurpose,
  inDays,
  publish,
  publishedNotice,
  translations,
} from '../support/notice-fixtures.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { type GetAnswer, send, trustedGet } from './support/trusted-get.js';

const RetireForCache = graphql(`
  mutation RetireForCache($input: NoticeVersionIdInput!) {
    retireNoticeVersion(input: $input) {
      __typename
    }
  }
`);

const ArchiveForCache = graphql(`
  mutation ArchiveForCache($input: ArchiveNoticeInput!) {
    archiveNotice(input: $input) {
      __typename
    }
  }
`);

const CurrentNoticeByPost = graphql(`
  query CurrentNoticeByPost($noticeKey: String!) {
    notice(key: $noticeKey) {
      key
    }
  }
`);

let database: TestDatabase;
let app: App;
/** The cache's clock: real time unless a test stops it at an instant. */
let stoppedAt: number | null = null;
const invalidations: NoticeChangedEvent[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  app = createApp({
    config: { environment: 'test' },
    database,
    logger: createLogger('silent'),
    readCache: {
      now: () => stoppedAt ?? Date.now(),
      // Longer than any move of the clock below: only the effective date may end an entry.
      ttlMs: 7 * 24 * 60 * 60 * 1000,
      onInvalidate: (event) => invalidations.push(event),
    },
  });
});

afterAll(async () => {
  await database?.close();
});

/** SQL statements a request issued, other than the API-key lookup every request makes. */
async function statementsBeyondAuthentication(request: Request) {
  const { result, statements } = await database.counter.measure(() => send(app, request));
  return { answer: result, statements: statements.filter((sql) => !sql.includes('"ApiKey"')) };
}

const current = (key: string, noticeKey: string, headers: Record<string, string> = {}) =>
  trustedGet(key, 'CurrentNotice', { noticeKey, locale: 'en' }, headers);

function expectCacheable(answer: GetAnswer) {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.json?.errors).toBeUndefined();
  expect(answer.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
  expect(answer.headers.get('cache-control')).toBe('private, no-cache');
  expect(answer.headers.get('vary')).toBe('Authorization, Accept');
}

describe('conditional GET of trusted notice documents', () => {
  it('answers a cached notice read 304 to a conditional request, with no body', async () => {
    const { keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy');
    const first = await send(app, current(keys.READER, 'privacy-policy'));
    expectCacheable(first);
    expect(first.json?.data?.notice?.currentVersion?.number).toBe(1);
    const etag = first.headers.get('etag')!;

    const { answer, statements } = await statementsBeyondAuthentication(
      current(keys.READER, 'privacy-policy', { 'if-none-match': etag }),
    );
    expect(answer.status).toBe(304);
    expect(answer.text).toBe('');
    expect(answer.headers.get('etag')).toBe(etag);
    expect(answer.headers.get('cache-control')).toBe('private, no-cache');
    expect(statements).toEqual([]);
  });

  it('serves a repeated read from the cache without SQL, byte for byte', async () => {
    const { keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy');
    const miss = await statementsBeyondAuthentication(current(keys.READER, 'privacy-policy'));
    expect(miss.statements.length).toBeGreaterThan(0);
    const hit = await statementsBeyondAuthentication(current(keys.READER, 'privacy-policy'));
    expect(hit.statements).toEqual([]);
    expect(hit.answer.status).toBe(200);
    expect(hit.answer.text).toBe(miss.answer.text);
    expect(hit.answer.headers.get('etag')).toBe(miss.answer.headers.get('etag'));
    expect(hit.answer.headers.get('content-type')).toBe(miss.answer.headers.get('content-type'));
  });

  it('changes the ETag and drops the cached answer when a version is published and when one is retired', async () => {
    const { controller, keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy', 'core');
    const history = () => trustedGet(keys.READER, 'NoticeHistory', { noticeKey: 'privacy-policy' });
    const before = await send(app, history());
    expectCacheable(before);
    expect((await statementsBeyondAuthentication(history())).statements).toEqual([]);

    const draft = await createDraft(app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['core'],
      effectiveFrom: inDays(0),
      translations: translations('We process less of your data.'),
    });
    const version = await publish(app, keys.EDITOR, draft, 'test');
    expect(invalidations).toContainEqual({ controllerId: controller.id, noticeKey: 'privacy-policy' });
    const published = await statementsBeyondAuthentication(
      trustedGet(
        keys.READER,
        'NoticeHistory',
        { noticeKey: 'privacy-policy' },
        { 'if-none-match': before.headers.get('etag')! },
      ),
    );
    expect(published.statements.length).toBeGreaterThan(0);
    expectCacheable(published.answer);
    expect(published.answer.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(published.answer.json?.data?.notice?.versions?.edges.map(({ node }) => node.number)).toEqual([
      2, 1,
    ]);

    const retired = expectData(
      await execute(app, RetireForCache, { key: keys.EDITOR, variables: { input: { id: version.id } } }),
    );
    expect(retired.retireNoticeVersion.__typename).toBe('NoticeVersionPayload');
    const after = await send(app, history());
    expectCacheable(after);
    expect(after.headers.get('etag')).not.toBe(published.answer.headers.get('etag'));
    expect(after.json?.data?.notice?.versions?.edges[0]?.node).toMatchObject({
      number: 2,
      status: 'RETIRED',
    });
  });

  it('drops the cached answer when the notice is archived', async () => {
    const { keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy');
    const before = await send(app, current(keys.READER, 'privacy-policy'));
    expect(before.json?.data?.notice?.status).toBe('ACTIVE');
    expectData(
      await execute(app, ArchiveForCache, {
        key: keys.EDITOR,
        variables: { input: { key: 'privacy-policy' } },
      }),
    );
    const after = await send(app, current(keys.READER, 'privacy-policy'));
    expect(after.json?.data?.notice?.status).toBe('ARCHIVED');
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
  });

  it('never serves a cached answer past the instant an upcoming version takes effect', async () => {
    const { keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy', 'core');
    const effectiveFrom = inDays(1);
    const draft = await createDraft(app, keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['core'],
      effectiveFrom,
      translations: translations('Coming soon.'),
    });
    await publish(app, keys.EDITOR, draft, 'test');
    const first = await send(app, current(keys.READER, 'privacy-policy'));
    expect(first.json?.data?.notice?.currentVersion?.number).toBe(1);
    expect(first.json?.data?.notice?.upcomingVersion?.number).toBe(2);

    const instant = new Date(effectiveFrom).getTime();
    try {
      stoppedAt = instant - 1;
      const justBefore = await statementsBeyondAuthentication(current(keys.READER, 'privacy-policy'));
      expect(justBefore.statements).toEqual([]);
      stoppedAt = instant;
      const atTheInstant = await statementsBeyondAuthentication(current(keys.READER, 'privacy-policy'));
      expect(atTheInstant.statements.length).toBeGreaterThan(0);
    } finally {
      stoppedAt = null;
    }
  });
});

describe('opting in to shared caches', () => {
  it('makes cacheable answers public for a CDN, never longer than the server keeps them', async () => {
    const shared = createApp({
      config: { environment: 'test' },
      database,
      logger: createLogger('silent'),
      readCache: { sharedMaxAgeSeconds: 3_600, ttlMs: 120_000 },
    });
    const { keys } = await makeTenant(database.prisma);
    await publishedNotice(shared, keys.EDITOR, 'privacy-policy');
    const answer = await send(shared, current(keys.READER, 'privacy-policy'));
    expect(answer.status).toBe(200);
    const control = answer.headers.get('cache-control') ?? '';
    expect(control).toMatch(/^public, max-age=0, s-maxage=\d+, must-revalidate$/);
    const sharedMaxAge = Number(/s-maxage=(\d+)/.exec(control)?.[1]);
    expect(sharedMaxAge).toBeGreaterThan(0);
    expect(sharedMaxAge).toBeLessThanOrEqual(120);
    expect(answer.headers.get('vary')).toBe('Authorization, Accept');
  });
});

describe('who shares a cached answer', () => {
  it('never serves one controller the answer cached for another with the same document and variables', async () => {
    const a = await makeTenant(database.prisma);
    const b = await makeTenant(database.prisma);
    await publishedNotice(app, a.keys.EDITOR, 'privacy-policy');
    await createPurpose(app, 'core', b.keys.EDITOR);
    await createNotice(app, 'privacy-policy', b.keys.EDITOR);
    const draft = await createDraft(app, b.keys.EDITOR, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['core'],
      effectiveFrom: inDays(0),
      translations: translations("Controller B's own words."),
    });
    await publish(app, b.keys.EDITOR, draft, 'test');

    const forA = await send(app, current(a.keys.READER, 'privacy-policy'));
    expect(
      (await statementsBeyondAuthentication(current(a.keys.READER, 'privacy-policy'))).statements,
    ).toEqual([]);
    const forB = await statementsBeyondAuthentication(
      current(b.keys.READER, 'privacy-policy', { 'if-none-match': forA.headers.get('etag')! }),
    );
    expect(forB.statements.length).toBeGreaterThan(0);
    expect(forB.answer.status).toBe(200);
    expect(forB.answer.text).not.toBe(forA.text);
    expect(forB.answer.json?.data?.notice?.currentVersion?.text.body).toContain("Controller B's own words.");
    expect(forA.json?.data?.notice?.currentVersion?.text.body).not.toContain('Controller B');
  });

  it('keeps READER, EDITOR and AUDITOR answers apart, and shares one between keys of one role', async () => {
    const { controller, keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy');
    await send(app, current(keys.READER, 'privacy-policy'));
    for (const role of ['EDITOR', 'AUDITOR'] as const) {
      const miss = await statementsBeyondAuthentication(current(keys[role], 'privacy-policy'));
      expect(miss.statements.length, role).toBeGreaterThan(0);
    }
    const secondReader = await makeKey(database.prisma, controller.id, 'READER', { name: 'second reader' });
    const shared = await statementsBeyondAuthentication(current(secondReader.secret, 'privacy-policy'));
    expect(shared.statements).toEqual([]);
  });

  it('never caches for a REGULATOR key, and records each of its queries', async () => {
    const { controller, keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy');
    const regulator = await makeKey(database.prisma, controller.id, 'REGULATOR');
    const recorded = () =>
      database.prisma.auditEntry.count({ where: { controllerId: controller.id, action: 'regulator:query' } });
    const before = await recorded();
    const first = await send(app, current(regulator.secret, 'privacy-policy'));
    const second = await send(app, current(regulator.secret, 'privacy-policy', { 'if-none-match': '*' }));
    for (const answer of [first, second]) {
      expect(answer.status).not.toBe(304);
      expect(answer.headers.get('etag')).toBeNull();
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
    expect(await recorded()).toBe(before + 2);
  });
});

describe('what GET refuses', () => {
  it('refuses a mutation over GET with a code, and runs nothing', async () => {
    const { keys } = await makeTenant(database.prisma);
    const url = new URL('http://notarium.test/graphql');
    url.searchParams.set(
      'query',
      'mutation { createNotice(input: { key: "by-get", title: "t", defaultLocale: "en" }) { __typename } }',
    );
    const answer = await send(
      app,
      new Request(url, { headers: { authorization: `Bearer ${keys.EDITOR}`, 'x-graphql-yoga-csrf': '1' } }),
    );
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.json?.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    const notice = await execute(app, CurrentNoticeByPost, {
      key: keys.EDITOR,
      variables: { noticeKey: 'by-get' },
    });
    expect(expectData(notice).notice).toBeNull();
  });

  it('refuses an unknown documentId with a code', async () => {
    const { keys } = await makeTenant(database.prisma);
    const url = new URL('http://notarium.test/graphql');
    url.searchParams.set('documentId', `sha256:${'0'.repeat(64)}`);
    url.searchParams.set('variables', JSON.stringify({ noticeKey: 'privacy-policy' }));
    const answer = await send(
      app,
      new Request(url, { headers: { authorization: `Bearer ${keys.READER}`, 'x-graphql-yoga-csrf': '1' } }),
    );
    expect(answer.status).toBe(400);
    expect(answer.json?.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
  });

  it('still needs the CSRF header on GET', async () => {
    const { keys } = await makeTenant(database.prisma);
    const request = current(keys.READER, 'privacy-policy');
    request.headers.delete('x-graphql-yoga-csrf');
    const answer = await send(app, request);
    expect(answer.status).toBe(403);
  });

  it('runs a trusted document by documentId over POST too, without caching it', async () => {
    const { keys } = await makeTenant(database.prisma);
    await publishedNotice(app, keys.EDITOR, 'privacy-policy');
    const get = current(keys.READER, 'privacy-policy');
    const documentId = new URL(get.url).searchParams.get('documentId');
    const post = () =>
      send(
        app,
        new Request('http://notarium.test/graphql', {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.READER}`, 'content-type': 'application/json' },
          body: JSON.stringify({ documentId, variables: { noticeKey: 'privacy-policy', locale: 'en' } }),
        }),
      );
    const answer = await post();
    expect(answer.status).toBe(200);
    expect(answer.json?.data?.notice?.currentVersion?.number).toBe(1);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('etag')).toBeNull();
  });
});
