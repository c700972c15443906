import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../../src/db/adapters.js';
import { databaseFromFactory, poolFromUrl } from '../../src/db/database.js';
import { createLogger } from '../../src/log/logger.js';
import { useTestApp } from '../support/test-app.js';
import { heavyTestTimeout } from '../support/timeouts.js';

const silent = createLogger('silent');

async function probe(app: ReturnType<typeof createApp>, path: string) {
  const response = await app.fetch(new Request(`http://notarium.test${path}`));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('/healthz and /readyz', () => {
  const t = useTestApp();

  it('reports ready on a reachable, fully migrated database', async () => {
    expect(await probe(t.app, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe(t.app, '/readyz')).toEqual({
      status: 200,
      body: { ready: true, database: 'reachable', pendingMigrations: 0 },
    });
  });

  it('reports not ready when PostgreSQL cannot be reached, while /healthz stays up', async () => {
    const pool = poolFromUrl('postgresql://postgres@127.0.0.1:1/none', 1);
    const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end());
    const app = createApp({ config: { environment: 'test' }, database, logger: silent });
    expect(await probe(app, '/readyz')).toMatchObject({
      status: 503,
      body: { ready: false, database: 'unreachable' },
    });
    expect((await probe(app, '/healthz')).status).toBe(200);
    await database.close();
  });

  // A fresh PGlite (and, below, the schema engine's check of pending migrations) is heavy work.
  it('reports not ready when the embedded database is closed', { timeout: heavyTestTimeout }, async () => {
    const pglite = new PGlite();
    const database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), async () => {});
    await pglite.close();
    const app = createApp({ config: { environment: 'test' }, database, logger: silent });
    expect(await probe(app, '/readyz')).toMatchObject({
      status: 503,
      body: { ready: false, database: 'unreachable' },
    });
  });

  it('reports not ready while migrations are pending', { timeout: heavyTestTimeout }, async () => {
    const pglite = new PGlite();
    const database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), () =>
      pglite.close(),
    );
    const app = createApp({ config: { environment: 'test' }, database, logger: silent });
    const readiness = await probe(app, '/readyz');
    expect(readiness.status).toBe(503);
    expect(readiness.body.pendingMigrations).toBeGreaterThan(0);
    await database.close();
  });
});
