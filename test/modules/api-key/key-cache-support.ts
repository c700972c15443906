import { type App, createApp } from '../../../src/app.js';
import { createLogger } from '../../../src/log/logger.js';
import type { ApiKeyCache } from '../../../src/modules/api-key/key-cache.js';
import type { TestDatabase } from '../../support/test-database.js';

export interface Answer {
  readonly status: number;
  readonly body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
}

export function appWithCache(database: TestDatabase, keyCache: ApiKeyCache): App {
  return createApp({ config: { environment: 'test' }, database, logger: createLogger('silent'), keyCache });
}

/** Sends one GraphQL document with `key` as the bearer. */
export async function post(app: App, key: string, query: string, variables = {}): Promise<Answer> {
  const response = await app.fetch(
    new Request('http://notarium.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

export const viewerQuery = '{ viewer { keyName controller { slug } } }';

export const revokeMutation = `mutation Revoke($id: ID!) {
  revokeApiKey(input: { id: $id }) { __typename }
}`;

export const globalKeyId = (id: string) => Buffer.from(`ApiKey:${id}`).toString('base64');

export const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.code;
