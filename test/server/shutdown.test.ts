import { once } from 'node:events';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { startServer } from '../../src/server.js';
import { makeController, makeKey } from '../support/factories.js';
import { openTestDatabase } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';

describe('graceful shutdown', { timeout: heavyTestTimeout }, () => {
  it('stops accepting, finishes the in-flight request, then closes the database', async () => {
    const database = await openTestDatabase();
    const controller = await makeController(database.prisma);
    const key = await makeKey(database.prisma, controller.id, 'READER');
    // The grace period must outlast the slowest request on a loaded machine: this test is about
    // waiting for the request, not about the limit.
    const config = {
      ...loadConfig({ PORT: '0', NODE_ENV: 'test', SHUTDOWN_TIMEOUT_MS: String(heavyTestTimeout) }),
      migrateOnStart: false,
      seedDemo: false,
    };
    const running = await startServer(config, createLogger('silent'), { database });

    const body = JSON.stringify({ query: '{ viewer { keyName } }' });
    const half = Math.floor(body.length / 2);
    const url = new URL(`${running.url}/graphql`);
    const received = once(running.server, 'request');
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
    // The server has the request (headers read, body still coming): it is in flight.
    await received;

    let stopped = false;
    const shutdown = running.shutdown().then(() => {
      stopped = true;
    });
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    expect(running.server.listening).toBe(false);
    expect(stopped).toBe(false);

    sendRest();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ data: { viewer: { keyName: 'reader key' } } });
    await shutdown;
    expect(stopped).toBe(true);
    expect(await database.ping()).toBe(false);
  });
});
