import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMain } from '../support/run-process.js';

const directory = mkdtempSync(join(tmpdir(), 'notarium-main-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('npm start (src/main.ts)', () => {
  it('refuses bad configuration, listing every problem at once', async () => {
    const child = startMain({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    for (const variable of ['PORT', 'DATABASE_URL', 'LOG_LEVEL']) expect(stderr).toContain(`${variable}:`);
  });

  it('serves on the embedded database, logs JSON lines, and exits cleanly on SIGTERM', async () => {
    const child = startMain({ DATA_DIR: join(directory, 'data'), PORT: '0', NODE_ENV: 'development' });
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    const listening = new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk) => {
        buffer += chunk;
        for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
          const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
          buffer = buffer.slice(newline + 1);
          lines.push(line);
          if (line.message === 'listening') resolve(String(line.url).replace('/graphql', ''));
        }
      });
    });
    const url = await listening;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(lines.map((line) => line.message)).toEqual(expect.arrayContaining(['signal received', 'stopped']));
    expect(
      lines.filter((line) => line.message === 'request').every((line) => typeof line.requestId === 'string'),
    ).toBe(true);
  });
});
