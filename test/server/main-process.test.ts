import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitOf, startMain, startServerProcess } from '../support/run-process.js';
import { heavyTestTimeout } from '../support/timeouts.js';

const directory = mkdtempSync(join(tmpdir(), 'notarium-main-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('npm start (src/main.ts)', { timeout: heavyTestTimeout }, () => {
  it('refuses bad configuration, listing every problem at once', async () => {
    const child = startMain({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    const exited = exitOf(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    expect(await exited).toBe(2);
    for (const variable of ['PORT', 'DATABASE_URL', 'LOG_LEVEL']) expect(stderr).toContain(`${variable}:`);
  });

  it('serves on the embedded database, logs JSON lines, and exits cleanly on SIGTERM', async () => {
    const server = await startServerProcess({
      DATA_DIR: join(directory, 'data'),
      PORT: '0',
      NODE_ENV: 'development',
    });
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      expect(await server.stop()).toBe(0);
    } finally {
      server.kill();
    }
    expect(server.lines.filter((line) => 'text' in line)).toEqual([]);
    expect(server.lines.map((line) => line.message)).toEqual(
      expect.arrayContaining(['signal received', 'stopped']),
    );
    expect(
      server.lines
        .filter((line) => line.message === 'request')
        .every((line) => typeof line.requestId === 'string'),
    ).toBe(true);
  });
});
