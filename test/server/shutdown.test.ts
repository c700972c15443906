import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { startServer } from '../../src/server.js';
import { makeController, makeKey } from '../support/factories.js';
import { openTestDatabase } from '../support/test-database.js';

describe('graceful shutdown', () => {
  it('stops accepting, finishes the in-flight request, then closes the database', async () => {
    const database = await openTestDatabase();
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER');
    const config = { ...loadConfig({ PORT: '0', NODE_ENV: 'test' }), migrateOnStart: false, seedDemo: false };
    const running = await startServer(config, createLogger('silent'), { database });

    const body = JSON.stringify({ query: '{ viewer { keyName } }' });
    const half = Math.floor(body.length / 2);
    const url = new URL(`${running.url}/graphql`);
    let sendRest: () => void = () => {};
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${key.secret}`,
          },
        },
        (response) => {
          let text = '';
          response.on('data', (chunk) => {
            text += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      outgoing.on('error', reject);
      outgoing.write(body.slice(0, half));
      sendRest = () => outgoing.end(body.slice(half));
    });
    await new Promise((resolve) => setTimeout(resolve, 100));

    let stopped = false;
    const shutdown = running.shutdown().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();

    sendRest();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ data: { viewer: { keyName: 'reader key' } } });
    await shutdown;
    expect(stopped).toBe(true);
    expect(await database.ping()).toBe(false);
  });
});
