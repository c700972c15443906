import { afterAll, beforeAll } from 'vitest';
import { developmentSubjectRefSecret, loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { seedDemoIfEmpty } from '../../src/modules/demo/seed.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { makeKey } from './factories.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';
import { heavyTestTimeout } from './timeouts.js';

export interface DemoServer {
  readonly database: TestDatabase;
  readonly server: RunningServer;
  /** `…/graphql` of the server. */
  readonly graphqlUrl: string;
  readonly keys: { readonly notifier: string; readonly reader: string };
}

/**
 * A real HTTP server in this process, on a fresh test database holding the demo, for clients that
 * reach it over the network (the import command). Read the fields inside tests, after beforeAll.
 */
export function useDemoServer(): DemoServer {
  const context = {} as { -readonly [K in keyof DemoServer]: DemoServer[K] };
  beforeAll(async () => {
    context.database = await openTestDatabase();
    const demo = await seedDemoIfEmpty(context.database, developmentSubjectRefSecret);
    const controller = await context.database.prisma.controller.findUniqueOrThrow({
      where: { slug: 'demo' },
    });
    const notifier = await makeKey(context.database.prisma, controller.id, 'NOTIFIER', { name: 'importer' });
    context.keys = { notifier: notifier.secret, reader: demo!.keys.reader };
    context.server = await startServer(
      loadConfig({ PORT: '0', NODE_ENV: 'test', SEED_DEMO: 'false', MIGRATE_ON_START: 'false' }),
      createLogger('silent'),
      { database: context.database },
    );
    context.graphqlUrl = `${context.server.url}/graphql`;
  }, heavyTestTimeout);
  // Shutting the server down closes its database (and drops a PostgreSQL test database).
  afterAll(() => context.server?.shutdown() ?? context.database?.close());
  return context;
}
