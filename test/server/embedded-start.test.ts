import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { DataDirLockedError } from '../../src/db/data-dir-lock.js';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/log/logger.js';
import { startServer } from '../../src/server.js';
import { heavyTestTimeout } from '../support/timeouts.js';

const directory = mkdtempSync(join(tmpdir(), 'notarium-embedded-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function viewer(url: string, key: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ viewer { keyName role controller { slug } } }' }),
  });
  return response.json();
}

describe('embedded database start', { timeout: heavyTestTimeout }, () => {
  const config = loadConfig({ DATA_DIR: join(directory, 'data'), PORT: '0', NODE_ENV: 'development' });

  it('migrates an empty data dir, seeds a demo ADMIN key once, locks the dir, and restarts on it', async () => {
    const announced: string[] = [];
    const first = await startServer(config, createLogger('silent'), {
      announce: (text) => announced.push(text),
    });
    try {
      const key = /(ntr_[a-z0-9]{8}_[A-Za-z0-9_-]{43})/.exec(announced.join(''))?.[1];
      expect(key).toBeDefined();
      // Started with PORT=0: the announcement names the port the server actually listens on.
      expect(announced.join('')).toContain(`${first.url}/graphql`);
      expect(first.url).not.toMatch(/:0$/);
      expect(await viewer(first.url, key!)).toEqual({
        data: { viewer: { keyName: 'demo admin', role: 'ADMIN', controller: { slug: 'demo' } } },
      });
      const reader = /READER\s+(ntr_[a-z0-9]{8}_[A-Za-z0-9_-]{43})/.exec(announced.join(''))?.[1];
      expect(await viewer(first.url, reader!)).toEqual({
        data: { viewer: { keyName: 'demo frontend', role: 'READER', controller: { slug: 'demo' } } },
      });
      await expect(openDatabase(config.database)).rejects.toBeInstanceOf(DataDirLockedError);
    } finally {
      await first.shutdown();
    }

    const second = await startServer(config, createLogger('silent'), {
      announce: (text) => announced.push(text),
    });
    try {
      expect(announced).toHaveLength(1);
      expect(await second.database.prisma.controller.count()).toBe(1);
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    } finally {
      await second.shutdown();
    }
  });
});
