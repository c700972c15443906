import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import { Redis, type RedisOptions } from 'ioredis';
import { createLogger, type Logger } from '../../log/logger.js';

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

const quitTimeoutMs = 2_000;

/**
 * A client that reports connection problems to the log (once per outage) instead of letting
 * ioredis print every reconnect failure to the console, and whose publish/subscribe/unsubscribe
 * never reject unhandled: the Redis event target fires them without awaiting, so while Redis is
 * down a rejection would otherwise crash the process.
 */
function connect(url: string, role: 'publish' | 'subscribe', options: RedisOptions, logger: Logger): Redis {
  const client = new Redis(url, { lazyConnect: false, ...options });
  let healthy = true;
  client.on('error', (error: Error) => {
    if (!healthy) return;
    healthy = false;
    logger.warn('redis event bus: connection lost, retrying', { client: role, error: error.message });
  });
  client.on('ready', () => {
    if (healthy) return;
    healthy = true;
    logger.info('redis event bus: reconnected', { client: role });
  });
  for (const command of ['publish', 'subscribe', 'unsubscribe'] as const) {
    const send = client[command].bind(client) as (...args: unknown[]) => Promise<unknown>;
    Object.assign(client, {
      [command]: (...args: unknown[]) => {
        const reply = send(...args);
        reply.catch((error: unknown) => {
          if (client.status === 'end') return; // closing: commands still queued are dropped on purpose
          logger.warn(`redis event bus: ${command} failed`, {
            channel: typeof args[0] === 'string' ? args[0] : undefined,
            error: error instanceof Error ? error.message : String(error),
          });
        });
        return reply;
      },
    });
  }
  return client;
}

/** QUIT when connected (lets pending publishes go out), bounded in time; otherwise just drop the connection. */
async function close(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, quitTimeoutMs);
    });
    // A rejection means the connection broke meanwhile: nothing left to flush.
    await Promise.race([client.quit(), timeout]).catch(() => {});
    clearTimeout(timer);
  }
  if (client.status !== 'end') client.disconnect();
}

export interface EventBusOptions {
  /** Where Redis connection problems are reported; JSON lines on stdout at `info` by default. */
  readonly logger?: Logger;
}

/**
 * In-process by default. With a Redis URL, events go through Redis so that every server
 * process delivers them to its own subscribers. Redis being unreachable never stops the server:
 * subscriptions wait for it to come back (then resubscribe), publishes are retried briefly and
 * then dropped with a warning.
 */
export function createEventBus(redisUrl: string | undefined, options: EventBusOptions = {}): EventBus {
  if (!redisUrl) return { pubsub: createPubSub<NoticeEvents>(), close: async () => {} };
  const logger = options.logger ?? createLogger('info');
  const publishClient = connect(redisUrl, 'publish', { maxRetriesPerRequest: 3 }, logger);
  // A SUBSCRIBE that gives up is never retried (ioredis only resubscribes channels it holds):
  // let it wait in the offline queue until Redis is back instead.
  const subscribeClient = connect(redisUrl, 'subscribe', { maxRetriesPerRequest: null }, logger);
  const eventTarget = createRedisEventTarget<CustomEvent>({ publishClient, subscribeClient });
  let closing: Promise<void> | null = null;
  return {
    pubsub: createPubSub<NoticeEvents>({ eventTarget }),
    close: () => {
      closing ??= Promise.all([close(publishClient), close(subscribeClient)]).then(() => {});
      return closing;
    },
  };
}
