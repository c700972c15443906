import type { Redis } from 'ioredis';

export interface RateLimiter {
  /** Counts one request of the key; returns the seconds to wait when over the limit, else null. */
  take(apiKeyId: string): Promise<number | null>;
}

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
      return entry.count > perMinute ? 60 - Math.floor((now() % 60_000) / 1000) : null;
    },
  };
}

/**
 * The same windows in Redis, shared by every server process. While Redis is unreachable it
 * falls back to the in-process limiter rather than refusing every request.
 */
export function redisRateLimiter(redis: Redis, perMinute: number, now: () => number = Date.now): RateLimiter {
  const fallback = memoryRateLimiter(perMinute, now);
  return {
    async take(apiKeyId) {
      const window = Math.floor(now() / 60_000);
      const key = `notarium:rate:${apiKeyId}:${window}`;
      try {
        const [[, count]] = (await redis.multi().incr(key).expire(key, 120).exec()) as [[unknown, number]];
        return count > perMinute ? 60 - Math.floor((now() % 60_000) / 1000) : null;
      } catch {
        return fallback.take(apiKeyId);
      }
    },
  };
}
