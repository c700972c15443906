import { afterAll, beforeAll } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { createLogger } from '../../src/log/logger.js';
import { openTestDatabase, type TestDatabase } from './test-database.js';

export interface TestContext {
  readonly app: App;
  readonly database: TestDatabase;
  readonly logLines: string[];
}

/** One app on one fresh database per test file. Read the fields inside tests, after beforeAll. */
export function useTestApp(options: { environment?: 'test' | 'production' } = {}): TestContext {
  const context = { logLines: [] as string[] } as { app: App; database: TestDatabase; logLines: string[] };
  beforeAll(async () => {
    context.database = await openTestDatabase();
    const logger = createLogger('info', (line) => context.logLines.push(line));
    context.app = createApp({
      config: { environment: options.environment ?? 'test' },
      database: context.database,
      logger,
    });
  });
  afterAll(async () => {
    await context.database?.close();
  });
  return context;
}
