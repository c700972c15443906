import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import type { NotificationInput } from '../../graphql/graphql.js';
import { execute, expectData } from '../../support/client.js';

interface Recorded {
  readonly __typename: string;
  readonly accepted?: number;
  readonly items?: readonly { readonly recordId: string | null }[];
}
const RecordNotifications = parse(`
  mutation LogRecordNotifications($input: RecordNotificationsInput!) {
    recordNotifications(input: $input) {
      __typename
      ... on RecordNotificationsPayload { accepted items { recordId } }
    }
  }
`) as TypedDocumentNode<{ recordNotifications: Recorded }, { input: { items: NotificationInput[] } }>;

/** Records `count` notifications of version 1 of `noticeKey` through the API; answers their record IDs. */
export async function recordSome(
  app: App,
  notifierKey: string,
  noticeKey: string,
  count: number,
  prefix: string,
): Promise<string[]> {
  const items = Array.from({ length: count }, (_, i) => ({
    subjectRef: `${prefix}-person-${i}`,
    noticeKey,
    versionNumber: 1,
    channel: 'EMAIL' as const,
    locale: 'en',
    occurredAt: new Date().toISOString(),
    idempotencyKey: `${prefix}-${i}`,
  }));
  const payload = expectData(
    await execute(app, RecordNotifications, { key: notifierKey, variables: { input: { items } } }),
  ).recordNotifications;
  expect(payload.accepted).toBe(count);
  return (payload.items ?? []).map((item) => item.recordId!);
}

export async function getText(app: App, path: string): Promise<{ status: number; body: string }> {
  const response = await app.fetch(new Request(`http://notarium.test${path}`));
  return { status: response.status, body: await response.text() };
}

export async function getJson<T>(app: App, path: string): Promise<{ status: number; body: T }> {
  const response = await app.fetch(new Request(`http://notarium.test${path}`));
  return { status: response.status, body: (await response.json()) as T };
}
