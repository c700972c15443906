import { describe, expect, it } from 'vitest';
import { graphql } from '../../graphql/index.js';
import { errorCode, execute, expectData } from '../../support/client.js';
import { makeController, makeKey } from '../../support/factories.js';
import { useTestApp } from '../../support/test-app.js';

const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      keyName
      role
      controller {
        slug
      }
    }
  }
`);

describe('authentication', () => {
  const t = useTestApp();

  it('answers viewer with the key name, role and controller', async () => {
    const controller = await makeController(t.database.prisma);
    const key = await makeKey(t.database.prisma, controller.id, 'READER', { name: 'web frontend' });
    const data = expectData(await execute(t.app, ViewerQuery, { key: key.secret }));
    expect(data.viewer).toEqual({
      keyName: 'web frontend',
      role: 'READER',
      controller: { slug: controller.slug },
    });
  });

  it.each([
    ['missing', null, 'UNAUTHENTICATED'],
    ['malformed', 'not-a-key', 'API_KEY_INVALID'],
    ['unknown', `ntr_abcdefgh_${'x'.repeat(43)}`, 'API_KEY_INVALID'],
  ])('refuses a %s key with a coded 401 and no data', async (_label, key, code) => {
    const response = await execute(t.app, ViewerQuery, { key });
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe(code);
    expect(response.body.data ?? null).toBeNull();
  });

  it('refuses a revoked key', async () => {
    const controller = await makeController(t.database.prisma);
    const key = await makeKey(t.database.prisma, controller.id, 'ADMIN');
    expectData(await execute(t.app, ViewerQuery, { key: key.secret }));
    await t.database.prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    const response = await execute(t.app, ViewerQuery, { key: key.secret });
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('API_KEY_REVOKED');
    expect(response.body.data ?? null).toBeNull();
  });

  it('refuses an expired key', async () => {
    const controller = await makeController(t.database.prisma);
    const key = await makeKey(t.database.prisma, controller.id, 'ADMIN', {
      expiresAt: new Date(Date.now() + 60_000),
    });
    expectData(await execute(t.app, ViewerQuery, { key: key.secret }));
    await t.database.prisma.apiKey.update({
      where: { id: key.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    const response = await execute(t.app, ViewerQuery, { key: key.secret });
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('API_KEY_EXPIRED');
  });

  it('stores only a hash of the secret and records last use', async () => {
    const controller = await makeController(t.database.prisma);
    const key = await makeKey(t.database.prisma, controller.id, 'READER');
    expectData(await execute(t.app, ViewerQuery, { key: key.secret }));
    const rows = (await t.database.sql('SELECT * FROM "ApiKey" WHERE id = $1', [key.id])) as Record<
      string,
      unknown
    >[];
    expect(JSON.stringify(rows)).not.toContain(key.secret);
    expect(rows[0]?.lastUsedAt).toBeTruthy();
  });

  it('tags every response and log line with a request ID', async () => {
    const controller = await makeController(t.database.prisma);
    const key = await makeKey(t.database.prisma, controller.id, 'READER');
    const response = await execute(t.app, ViewerQuery, {
      key: key.secret,
      headers: { 'x-request-id': 'req-42' },
    });
    expect(response.headers.get('x-request-id')).toBe('req-42');
    const lines = t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.requestId === 'req-42' && line.message === 'request')).toBe(true);
  });
});
