import type { Redis, RedisOptions } from 'ioredis';
import { CircuitBreaker, type CircuitBreakerOptions } from '../lib/circuit-breaker.js';
import type { Logger } from '../log/logger.js';

export interface RateLimiter {
  /** Counts one request of the key; returns the seconds to wait when over the limit, else null. */
  take(apiKeyId: string): Promise<number | null>;
}

const secondsLeftInWindow = (now: number) => 60 - Math.floor((now % 60_000) / 1000);

/** Fixed one-minute windows per API key, in process. */
export function memoryRateLimiter(perMinute: number, now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { window: number; count: number }>();
  return {
    async take(apiKeyId) {
      const window = Math.floor(now() / 60_000);
      const current = windows.get(apiKeyId);
      const entry = current && current.window === window ? current : { window, count: 0 };
      entry.count += 1;
      windows.set(apiKeyId, entry);
      if (windows.size > 10_000) {
        for (const [key, value] of windows) if (value.window < window) windows.delete(key);
      }
      return entry.count > perMinute ? secondsLeftInWindow(now()) : null;
    },
  };
}

/**
 * Options for the rate limiter's own Redis connection. A request must never wait for Redis: no
 * offline queue (a command fails at once while disconnected), no retries, and a short timeout so
 * that a Redis that accepts connections but does not answer cannot stall requests either.
 */
export const rateLimitRedisOptions: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: 250,
  connectionName: 'notarium:rate-limit',
};

export interface RedisRateLimiterOptions {
  /** Where the circuit's state changes are reported (once each). */
  readonly logger: Logger;
  readonly now?: () => number;
  /** Back-off before probing Redis again; see `CircuitBreaker`. */
  readonly breaker?: Omit<CircuitBreakerOptions, 'probe' | 'now'>;
}

export interface RedisRateLimiter extends RateLimiter {
  /** Open while Redis is unavailable: requests then count in process only, without touching Redis. */
  readonly breaker: CircuitBreaker;
  /** Drops the connection (shutdown). */
  close(): void;
}

class RedisNotReadyError extends Error {
  constructor(status: string) {
    super(`Redis connection is ${status}`);
    this.name = 'RedisNotReadyError';
  }
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The same windows in Redis, shared by every server process. A circuit breaker guards Redis:
 * the first failure, a connection that is not ready or one that closes opens it, and while it is
 * open requests are counted by the in-process limiter without touching Redis. The circuit
 * probes Redis (PING) in the background after a back-off, or as soon as the client reconnects,
 * and closes when Redis answers.
 */
export function redisRateLimiter(
  redis: Redis,
  perMinute: number,
  { logger, now = Date.now, breaker: backoff }: RedisRateLimiterOptions,
): RedisRateLimiter {
  const fallback = memoryRateLimiter(perMinute, now);
  const breaker = new CircuitBreaker({ ...backoff, now, probe: () => redis.ping() });
  let closing = false;
  let everReady = redis.status === 'ready';
  breaker.onStateChange(({ from, to, cause }) => {
    if (closing) return;
    if (to === 'open' && from === 'closed') {
      logger.warn('rate-limit redis unavailable, using in-process limits', { error: errorMessage(cause) });
    } else if (to === 'closed') {
      logger.info('rate-limit redis back');
    }
  });
  // ioredis reports each failed reconnect as an error event too: the breaker's log line is the one report.
  redis.on('error', () => {});
  redis.on('close', () => breaker.trip(new Error('Redis connection closed')));
  redis.on('ready', () => {
    everReady = true;
    breaker.probeNow();
  });

  const takeInRedis = async (apiKeyId: string) => {
    if (redis.status !== 'ready') throw new RedisNotReadyError(redis.status);
    const window = Math.floor(now() / 60_000);
    const key = `notarium:rate:${apiKeyId}:${window}`;
    const replies = await redis.multi().incr(key).expire(key, 120).exec();
    const [error, count] = replies?.[0] ?? [new Error('Redis transaction aborted'), null];
    if (error) throw error;
    return (count as number) > perMinute ? secondsLeftInWindow(now()) : null;
  };

  return {
    breaker,
    take(apiKeyId) {
      // Before the first connection is up there is no outage to report: count in process meanwhile.
      if (!everReady && redis.status !== 'ready') return fallback.take(apiKeyId);
      return breaker.run(
        () => takeInRedis(apiKeyId),
        () => fallback.take(apiKeyId),
      );
    },
    close() {
      closing = true;
      redis.disconnect();
    },
  };
}
