import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';
import { expect } from 'vitest';
import type { App } from '../../src/app.js';

export interface GraphQLResponse<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ExecutionResult<T>;
}

/** Sends a typed document through the real HTTP handler, as a client would. */
export async function execute<TResult, TVariables>(
  app: App,
  document: TypedDocumentNode<TResult, TVariables>,
  options: { key?: string | null; headers?: Record<string, string> } & (TVariables extends Record<
    string,
    never
  >
    ? { variables?: TVariables }
    : { variables: TVariables }),
): Promise<GraphQLResponse<TResult>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const response = await app.fetch(
    new Request('http://notarium.test/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: print(document), variables: options.variables ?? {} }),
    }),
  );
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as ExecutionResult<TResult>,
  };
}

/** Data of a response that must have no GraphQL errors. */
export function expectData<T>(response: GraphQLResponse<T>): T {
  expect(response.body.errors, JSON.stringify(response.body.errors)).toBeUndefined();
  expect(response.body.data).toBeTruthy();
  return response.body.data as T;
}

/** The first GraphQL error's code. */
export function errorCode(response: GraphQLResponse<unknown>): unknown {
  return response.body.errors?.[0]?.extensions?.code;
}

/** The database ID inside a Relay global ID. */
export function rawId(globalId: string): string {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}
