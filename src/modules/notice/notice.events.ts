import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, type PubSub } from 'graphql-yoga';
import { Redis, type RedisOptions } from 'ioredis';
import { createLogger, type Logger } from '../../log/logger.js';

export interface PublishedEvent {
  readonly versionId: string;
}

/**
 * What a cached read of a notice depends on changed: a version was published or retired, or the
 * notice was archived. The response cache (src/graphql/notice-read-cache.ts) drops that notice's
 * entries in every process; it is not a GraphQL subscription.
 */
export interface NoticeChangedEvent {
  readonly controllerId: string;
  readonly noticeKey: string;
  /** The app instance whose cache already applied it (set by src/graphql/notice-read-cache.ts). */
  readonly origin?: string;
}

/**
 * `noticeVersionPublished`: topic per controller and notice, so a subscriber only ever hears its
 * own tenant's notices. `noticeChanged`: one channel, heard by the server processes only.
 */
export type NoticeEvents = {
  noticeVersionPublished: [topic: string, payload: PublishedEvent];
  noticeChanged: [payload: NoticeChangedEvent];
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
 * The longest a publish waits for Redis (in the offline queue while the first connection comes
 * up, or for the reply of a Redis that stopped answering) before it is reported as failed.
 */
const publishTimeoutMs = 5_000;

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A client that reports connection problems to the log once per outage instead of letting
 * ioredis print every reconnect failure to the console, and whose publish/subscribe/unsubscribe
 * never reject unhandled: the Redis event target fires them without awaiting, so while Redis is
 * down a rejection would otherwise crash the process. A failing command is logged once, until one
 * succeeds again or the client reconnects.
 *
 * The publishing client drops a publish at once while it is disconnected after having been
 * connected: publishing is fire-and-forget, and a publish queued through an outage would only
 * be delivered late. Before the first connection is up, publishes wait in the offline queue,
 * bounded by `publishTimeoutMs`.
 */
function connect(url: string, role: 'publish' | 'subscribe', options: RedisOptions, logger: Logger): Redis {
  const client = new Redis(url, { lazyConnect: false, ...options });
  let healthy = true;
  let everReady = false;
  const failing = new Set<string>();
  client.on('error', (error: Error) => {
    if (!healthy) return;
    healthy = false;
    logger.warn('redis event bus: connection lost, retrying', { client: role, error: error.message });
  });
  client.on('ready', () => {
    everReady = true;
    failing.clear();
    if (healthy) return;
    healthy = true;
    logger.info('redis event bus: reconnected', { client: role });
  });
  const failed = (command: string, channel: unknown, error: unknown) => {
    if (client.status === 'end') return; // closing: commands still queued are dropped on purpose
    if (failing.has(command)) return;
    failing.add(command);
    logger.warn(`redis event bus: ${command} failed`, {
      client: role,
      channel: typeof channel === 'string' ? channel : undefined,
      error: errorMessage(error),
    });
  };
  const succeeded = (command: string) => {
    if (failing.delete(command)) logger.info(`redis event bus: ${command} works again`, { client: role });
  };
  for (const command of ['publish', 'subscribe', 'unsubscribe'] as const) {
    const send = client[command].bind(client) as (...args: unknown[]) => Promise<unknown>;
    Object.assign(client, {
      [command]: (...args: unknown[]) => {
        if (role === 'publish' && everReady && client.status !== 'ready') {
          failed(command, args[0], new Error(`Redis connection is ${client.status}; event dropped`));
          return Promise.resolve(0);
        }
        const reply = send(...args);
        reply.then(
          () => succeeded(command),
          (error: unknown) => failed(command, args[0], error),
        );
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
 * process delivers them to its own subscribers. Redis being unreachable never stops or slows the
 * server: subscriptions wait for it to come back (then resubscribe), publishes are not awaited by
 * the publishing mutation, wait at most `publishTimeoutMs`, and are dropped with a warning (once
 * per outage) while Redis is away.
 */
export function createEventBus(redisUrl: string | undefined, options: EventBusOptions = {}): EventBus {
  if (!redisUrl) return { pubsub: createPubSub<NoticeEvents>(), close: async () => {} };
  const logger = options.logger ?? createLogger('info');
  const publishClient = connect(
    redisUrl,
    'publish',
    { maxRetriesPerRequest: 0, commandTimeout: publishTimeoutMs },
    logger,
  );
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
