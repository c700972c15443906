import { Redis } from 'ioredis';

export const testRedisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Null when Redis answers PING; otherwise why the Redis tests are skipped. */
export async function redisProblem(url: string): Promise<string | null> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let cause: unknown;
  client.on('error', (error) => {
    cause = error;
  });
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    cause ??= error;
    return `Redis not reachable at ${url} (${cause instanceof Error ? cause.message : String(cause)})`;
  } finally {
    client.disconnect();
  }
}
