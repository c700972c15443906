import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from '../../log/logger.js';
import type { ApiKeyCache } from './key-cache.js';

/** Carries the ID of a key that stopped authenticating (revoked) to every server process. */
export const keyChangesChannel = 'notarium:api-key-changed';

const publishTimeoutMs = 5_000;

export interface KeyChangePropagation {
  /** Emits `forgotten` (apiKeyId) once a change announced through Redis has been applied here. */
  readonly events: EventEmitter;
  /** Resolves once the subscription is in place: from then on the cache serves keys. */
  readonly subscribed: Promise<void>;
  close(): Promise<void>;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Links a process's cache to the others' through Redis pub/sub: a key changed here is published,
 * a key changed elsewhere is forgotten here. The cache serves keys only while the subscription
 * is up; when the connection drops it forgets everything and looks every key up until it is back,
 * since a change announced meanwhile would be missed.
 */
export function propagateKeyChanges(
  cache: ApiKeyCache,
  redisUrl: string,
  logger: Logger,
): KeyChangePropagation {
  const events = new EventEmitter();
  const publisher = new Redis(redisUrl, {
    maxRetriesPerRequest: 0,
    commandTimeout: publishTimeoutMs,
    connectionName: 'notarium:api-key-publish',
  });
  const subscriber = new Redis(redisUrl, {
    maxRetriesPerRequest: null,
    connectionName: 'notarium:api-key-subscribe',
  });
  let warned = false;
  const warn = (what: string, error: unknown) => {
    if (warned) return;
    warned = true;
    logger.warn(`api key cache: ${what}; keys are looked up on every request until Redis is back`, {
      error: errorMessage(error),
    });
  };
  for (const client of [publisher, subscriber])
    client.on('error', (error: Error) => warn('redis error', error));
  cache.setLive(false);
  subscriber.on('close', () => cache.setLive(false));
  subscriber.on('message', (channel: string, apiKeyId: string) => {
    if (channel !== keyChangesChannel) return;
    cache.forget(apiKeyId);
    events.emit('forgotten', apiKeyId);
  });
  let markSubscribed = () => {};
  const subscribed = new Promise<void>((resolve) => {
    markSubscribed = resolve;
  });
  const subscribe = () =>
    subscriber.subscribe(keyChangesChannel).then(() => {
      if (warned) logger.info('api key cache: redis is back');
      warned = false;
      cache.setLive(true);
      markSubscribed();
    });
  // On every (re)connection: ioredis would resubscribe by itself, but the cache goes live only
  // once the subscription is confirmed.
  subscriber.on('ready', () => {
    subscribe().catch((error: unknown) => warn('subscribe failed', error));
  });
  const unlisten = cache.onKeyChanged((apiKeyId) => {
    publisher.publish(keyChangesChannel, apiKeyId).catch((error: unknown) => warn('publish failed', error));
  });
  return {
    events,
    subscribed,
    async close() {
      unlisten();
      await Promise.all([publisher.quit().catch(() => {}), subscriber.quit().catch(() => {})]);
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

/** For a process without a cache (the CLI): tells running servers that a key changed. */
export async function announceKeyChange(redisUrl: string, apiKeyId: string): Promise<void> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 0, commandTimeout: publishTimeoutMs });
  client.on('error', () => {});
  try {
    await client.publish(keyChangesChannel, apiKeyId);
  } finally {
    client.disconnect();
  }
}
