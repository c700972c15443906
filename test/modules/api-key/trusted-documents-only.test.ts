import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { hashSecret } from '../../../src/modules/api-key/api-key.secret.js';
import { ApiKeyCache } from '../../../src/modules/api-key/key-cache.js';
import { documentId, send, trustedGet } from '../../server/support/trusted-get.js';
import { errorCode } from '../../support/client.js';
import { makeController, makeKey } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { openTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { heavyTestTimeout } from '../../support/timeouts.js';
import { appWithCache, post } from './key-cache-support.js';

const createRestricted = `mutation CreateFrontendKey($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    ... on CreateApiKeyPayload { secret apiKey { role trustedDocumentsOnly } }
    ... on Error { code }
  }
}`;

const currentNoticeText = `query CurrentNotice($noticeKey: String!) { notice(key: $noticeKey) { key } }`;

/** POST with a JSON body, as a frontend without GET would. */
function postBody(app: App, key: string, body: Record<string, unknown>) {
  return send(
    app,
    new Request('http://notarium.test/graphql', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

describe('a key for trusted documents only', () => {
  let database: TestDatabase;
  let app: App;
  let keyCache: ApiKeyCache;
  let restricted: string;
  let reader: string;
  const noticeKey = 'privacy-policy';

  beforeAll(async () => {
    database = await openTestDatabase();
    keyCache = new ApiKeyCache({ ttlMs: 60 * 60_000, maxEntries: 100 });
    app = appWithCache(database, keyCache);
    const controller = await makeController(database.prisma);
    const admin = (await makeKey(database.prisma, controller.id, 'ADMIN')).secret;
    reader = (await makeKey(database.prisma, controller.id, 'READER')).secret;
    await publishedNotice(app, admin, noticeKey);
    const created = await post(app, admin, createRestricted, {
      input: { name: 'web frontend', role: 'READER', trustedDocumentsOnly: true },
    });
    const payload = created.body.data?.createApiKey as {
      secret: string;
      apiKey: { role: string; trustedDocumentsOnly: boolean };
    };
    expect(payload.apiKey).toEqual({ role: 'READER', trustedDocumentsOnly: true });
    restricted = payload.secret;
  }, heavyTestTimeout);

  afterAll(async () => {
    await database?.close();
  });

  it('runs a trusted document by GET and by POST with its documentId', async () => {
    const byGet = await send(app, trustedGet(restricted, 'CurrentNotice', { noticeKey }));
    expect(byGet.status).toBe(200);
    expect(byGet.json?.data?.notice?.key).toBe(noticeKey);
    const byPost = await postBody(app, restricted, {
      documentId: documentId('NoticeHistory'),
      variables: { noticeKey },
    });
    expect(byPost.status).toBe(200);
    expect(byPost.json?.errors).toBeUndefined();
    expect(byPost.json?.data?.notice?.key).toBe(noticeKey);
  });

  it('refuses any other document, by POST too, even the text of a trusted one', async () => {
    for (const query of ['{ viewer { keyName } }', currentNoticeText]) {
      const refused = await post(app, restricted, query, { noticeKey });
      expect(refused.status).toBe(403);
      expect(errorCode(refused)).toBe('TRUSTED_DOCUMENT_REQUIRED');
      expect(refused.body.data).toBeUndefined();
    }
    const withBoth = await postBody(app, restricted, {
      documentId: documentId('CurrentNotice'),
      query: '{ viewer { keyName } }',
      variables: { noticeKey },
    });
    expect(withBoth.status).toBe(403);
    expect(withBoth.json?.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it('is refused the evidence download, which is no trusted document', async () => {
    const response = await app.fetch(
      new Request('http://notarium.test/evidence/bundle?request=x', {
        headers: { authorization: `Bearer ${restricted}`, 'x-graphql-yoga-csrf': '1' },
      }),
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('TRUSTED_DOCUMENT_REQUIRED');
  });

  it('is carried by the key cache: a cached key is still restricted', async () => {
    expect(keyCache.get(hashSecret(restricted))?.trustedDocumentsOnly).toBe(true);
    const refused = await post(app, restricted, '{ viewer { keyName } }');
    expect(errorCode(refused)).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it('leaves an unrestricted key as it was', async () => {
    const answer = await post(app, reader, '{ viewer { keyName } }');
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(keyCache.get(hashSecret(reader))?.trustedDocumentsOnly).toBe(false);
    const byGet = await send(app, trustedGet(reader, 'CurrentNotice', { noticeKey }));
    expect(byGet.json?.data?.notice?.key).toBe(noticeKey);
  });
});
