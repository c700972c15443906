import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import { Redis } from 'ioredis';

export interface PublishedEvent {
  readonly versionId: string;
}

/** Topic per controller and notice, so a subscriber only ever hears its own tenant's notices. */
export type NoticeEvents = {
  noticeVersionPublished: [topic: string, payload: PublishedEvent];
};

export type NoticePubSub = PubSub<NoticeEvents>;

export function noticeTopic(controllerId: string, noticeKey: string): string {
  return `${controllerId}:${noticeKey}`;
}

export interface EventBus {
  readonly pubsub: NoticePubSub;
  close(): Promise<void>;
}

/**
 * In-process by default. With a Redis URL, events go through Redis so that every server
 * process delivers them to its own subscribers.
 */
export function createEventBus(redisUrl: string | undefined): EventBus {
  if (!redisUrl) return { pubsub: createPubSub<NoticeEvents>(), close: async () => {} };
  const publishClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const subscribeClient = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  return {
    pubsub: createPubSub<NoticeEvents>({ eventTarget }),
    close: async () => {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
