import { expect } from 'vitest';
import type { App } from '../../src/app.js';
import type { NotificationEventInput, NotificationInput } from '../graphql/graphql.js';
import { graphql } from '../graphql/index.js';
import { execute, expectData } from './client.js';

const RecordWithEvents = graphql(`
  mutation RecordWithEvents($items: [NotificationInput!]!, $events: [NotificationEventInput!]!) {
    recordNotifications(input: { items: $items }) {
      ... on RecordNotificationsPayload {
        accepted
        rejected
      }
    }
    recordNotificationEvents(input: { items: $events }) {
      ... on RecordNotificationEventsPayload {
        accepted
        rejected
      }
    }
  }
`);

/**
 * Records notifications and their delivery events in one request (notifications first), and
 * checks that every one was accepted. An empty event list is refused as a whole and writes
 * nothing, so it is not checked.
 */
export async function recordWithEvents(
  app: App,
  key: string,
  items: NotificationInput[],
  events: NotificationEventInput[],
): Promise<void> {
  const result = expectData(await execute(app, RecordWithEvents, { key, variables: { items, events } }));
  expect(result.recordNotifications).toMatchObject({ accepted: items.length, rejected: 0 });
  if (events.length > 0)
    expect(result.recordNotificationEvents).toMatchObject({ accepted: events.length, rejected: 0 });
}
