import { encodeGlobalID } from '@pothos/plugin-relay';
import type { ChangeEvent } from '../../generated/prisma/client.js';
import { resourceGlobalId } from '../change-feed/change-events.js';

/** The `webhook-id`: the event's global ID, the same in the feed, on every retry and on redelivery. */
export function webhookId(event: Pick<ChangeEvent, 'id'>): string {
  return encodeGlobalID('ChangeEvent', event.id);
}

/**
 * The body: Standard Webhooks' `type`, `timestamp` and `data`, where `data` holds the event as the
 * feed shows it (docs/webhooks.md#payload). Built from the stored event alone, so every attempt
 * sends the same bytes.
 */
export function webhookBody(event: ChangeEvent): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    data: {
      id: webhookId(event),
      sequence: event.sequence,
      resourceType: event.resourceType,
      resourceId: resourceGlobalId(event),
      ...(event.data as Record<string, unknown>),
    },
  });
}
