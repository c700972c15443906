import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createApp } from './app.js';
import type { Config } from './config/env.js';
import { type Database, openDatabase } from './db/database.js';
import { memoryRateLimiter, rateLimitRedisOptions, redisRateLimiter } from './graphql/rate-limit.js';
import type { Logger } from './log/logger.js';
import { requestIdFrom, runInRequestScope } from './log/request-scope.js';
import { ApiKeyCache } from './modules/api-key/key-cache.js';
import { propagateKeyChanges } from './modules/api-key/key-cache-redis.js';
import { demoAnnouncement } from './modules/demo/announcement.js';
import { seedDemoIfEmpty } from './modules/demo/seed.js';
import { createEventBus } from './modules/notice/notice.events.js';
import { WebhookWorker } from './modules/webhook/webhook-worker.js';
import type { Tracing } from './tracing/tracing.js';

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly database: Database;
  /** Active API keys served from memory; linked to the other processes' through Redis when configured. */
  readonly keyCache: ApiKeyCache;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes the database. */
  shutdown(): Promise<void>;
}

function headerValue(value: string | string[] | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

export interface ServerOptions {
  /** An already open database (tests); by default the one the configuration names is opened. */
  readonly database?: Database;
  /** Where the demo key is announced; standard error by default. */
  readonly announce?: (text: string) => void;
  /** OpenTelemetry tracing, when configured; flushed and stopped at shutdown. */
  readonly tracing?: Tracing;
}

export async function startServer(
  config: Config,
  logger: Logger,
  options: ServerOptions = {},
): Promise<RunningServer> {
  const database = options.database ?? (await openDatabase(config.database));
  const announce = options.announce ?? ((text: string) => process.stderr.write(text));
  let demo: Awaited<ReturnType<typeof seedDemoIfEmpty>> = null;
  try {
    if (config.migrateOnStart) {
      // Loaded only when asked for; and the schema engine (wasm, about 20 MB that stay resident)
      // only when a migration is pending: a plain restart does not load it.
      const { deployMigrations, pendingMigrationCount } = await import('./db/migrations.js');
      if ((await pendingMigrationCount(database.factory)) > 0) {
        const { applied } = await deployMigrations(database.factory);
        if (applied.length > 0) logger.info('migrations applied', { migrations: applied });
      }
    }
    if (config.seedDemo) {
      demo = await seedDemoIfEmpty(database, config.subjectRefSecret);
      if (demo !== null) logger.info('demo controller created', { controller: demo.controllerSlug });
    }
  } catch (error) {
    await database.close();
    throw error;
  }

  const eventBus = createEventBus(config.redisUrl, { logger });
  const redisLimiter = config.redisUrl
    ? redisRateLimiter(new Redis(config.redisUrl, rateLimitRedisOptions), config.rateLimitPerMinute, {
        logger,
      })
    : null;
  const rateLimiter = redisLimiter ?? memoryRateLimiter(config.rateLimitPerMinute);
  const keyCache = new ApiKeyCache(config.apiKeyCache);
  const keyChanges =
    config.redisUrl && keyCache.enabled ? propagateKeyChanges(keyCache, config.redisUrl, logger) : null;
  const app = createApp({
    config,
    database,
    logger,
    events: eventBus.pubsub,
    subjectRefSecret: config.subjectRefSecret,
    limits: { bodyBytes: config.bodyLimitBytes, rateLimiter },
    keyCache,
    tracing: options.tracing,
    webhooks: config.webhooks,
  });
  const webhookWorker = new WebhookWorker(database, { ...config.webhooks, logger });
  const server = createServer((request, response) => {
    if (request.method === 'POST' && request.headers['content-length'] === undefined) {
      response.writeHead(411, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          errors: [{ message: 'Content-Length is required.', extensions: { code: 'LENGTH_REQUIRED' } }],
        }),
      );
      return;
    }
    runInRequestScope(requestIdFrom(headerValue(request.headers['x-request-id'])), () =>
      app.yoga(request, response),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  logger.info('listening', { url: `${url}/graphql`, database: database.kind });
  // After listening: with PORT=0 only now is the port known.
  if (demo !== null) announce(demoAnnouncement(demo, `${url}/graphql`));
  webhookWorker.start();

  let stopping: Promise<void> | null = null;
  const shutdown = () => {
    stopping ??= (async () => {
      logger.info('shutting down: no new connections, finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
      await webhookWorker.stop();
      await eventBus.close();
      await keyChanges?.close();
      redisLimiter?.close();
      await database.close();
      await options.tracing?.shutdown();
      logger.info('stopped');
    })();
    return stopping;
  };
  return { url, server, database, keyCache, shutdown };
}
