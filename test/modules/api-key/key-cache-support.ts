import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { type App, createApp } from '../../../src/app.js';
import { createLogger } from '../../../src/log/logger.js';
import type { ApiKeyCache } from '../../../src/modules/api-key/key-cache.js';
import { errorCode, execute, type GraphQLResponse } from '../../support/client.js';
import type { TestDatabase } from '../../support/test-database.js';

export type Answer = GraphQLResponse<Record<string, unknown>>;

export function appWithCache(database: TestDatabase, keyCache: ApiKeyCache): App {
  return createApp({ config: { environment: 'test' }, database, logger: createLogger('silent'), keyCache });
}

/** Sends one GraphQL document with `key` as the bearer, through the real handler. */
export function post(app: App, key: string, query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
  return execute(app, document, { key, variables });
}

export const viewerQuery = '{ viewer { keyName controller { slug } } }';

export const revokeMutation = `mutation Revoke($id: ID!) {
  revokeApiKey(input: { id: $id }) { __typename }
}`;

export const globalKeyId = (id: string) => Buffer.from(`ApiKey:${id}`).toString('base64');

export const codeOf = (answer: Answer) => errorCode(answer);
