import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { makeController, makeKey } from '../support/factories.js';
import { openTestDatabase } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';

/** A POST over a real socket, the body sent as given: chunked when no length is declared. */
function post(
  url: string,
  body: string,
  headers: Record<string, string | number>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(new URL(url), { method: 'POST', headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

describe('the body limit over HTTP', { timeout: heavyTestTimeout }, () => {
  let running: RunningServer;
  let secret: string;
  beforeAll(async () => {
    const database = await openTestDatabase();
    const controller = await makeController(database.prisma);
    secret = (await makeKey(database.prisma, controller.id, 'READER')).secret;
    const config = {
      ...loadConfig({ PORT: '0', NODE_ENV: 'test', BODY_LIMIT_BYTES: '2048' }),
      migrateOnStart: false,
      seedDemo: false,
    };
    running = await startServer(config, createLogger('silent'), { database });
  }, heavyTestTimeout);
  afterAll(() => running?.shutdown());

  const json = (query: string) => JSON.stringify({ query });
  const auth = () => ({ 'content-type': 'application/json', authorization: `Bearer ${secret}` });

  it('answers a body within the limit', async () => {
    const body = json('{ viewer { role } }');
    const result = await post(`${running.url}/graphql`, body, {
      ...auth(),
      'content-length': Buffer.byteLength(body),
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toEqual({ data: { viewer: { role: 'READER' } } });
  });

  it('refuses a declared length over the limit with 413, and a body of undeclared length with 411', async () => {
    const big = json(`{ viewer { role } } # ${'x'.repeat(3000)}`);
    const declared = await post(`${running.url}/graphql`, big, {
      ...auth(),
      'content-length': Buffer.byteLength(big),
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    // Chunked: no Content-Length, so the size is unknown until read; refused before reading.
    const chunked = await post(`${running.url}/graphql`, big, { ...auth(), 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(411);
    expect(JSON.parse(chunked.text).errors[0].extensions.code).toBe('LENGTH_REQUIRED');
  });

  it('reads no more than the declared length: a longer body does not reach the operation', async () => {
    const body = json('{ viewer { role } }');
    // Declares half the body: the server reads that much, which is not a whole JSON document.
    const result = await post(`${running.url}/graphql`, body, {
      ...auth(),
      'content-length': Math.floor(Buffer.byteLength(body) / 2),
    });
    expect(result.status).toBe(400);
    expect(result.text).not.toContain('READER');
  });
});
