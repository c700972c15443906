import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitOf, repoRoot, startServerProcess } from '../support/run-process.js';
import { eventually } from '../support/sse.js';
import { openTestDatabase, type TestDatabase, testTarget } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';

// `npm run build` as CI runs it, but into a directory of this test's own (inside the repository,
// so that the compiled files find node_modules and prisma/ as dist/ does). Type-checking the
// whole source takes about 20 s of CPU idle, longer than anything `heavyTestTimeout` was sized
// for, hence twice that limit for the build.
const outDir = join(repoRoot, '.build-test', randomBytes(4).toString('hex'));
const dataDir = mkdtempSync(join(tmpdir(), 'notarium-compiled-'));
const keyPattern = /ntr_[a-z0-9]{8}_[A-Za-z0-9_-]{43}/;

async function build(): Promise<void> {
  const child = spawn(process.execPath, ['scripts/build.mjs', outDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await exitOf(child);
  if (code !== 0) throw new Error(`scripts/build.mjs exited ${code}:\n${output}`);
}

describe('the compiled server (npm run build, npm start)', { timeout: heavyTestTimeout }, () => {
  let database: TestDatabase | null = null;

  beforeAll(async () => {
    await build();
    if (testTarget === 'postgres') database = await openTestDatabase();
  }, 2 * heavyTestTimeout);
  afterAll(async () => {
    await database?.close();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts from dist, answers /healthz and an authenticated GraphQL request', async () => {
    const env: Record<string, string> =
      database?.url != null
        ? { DATABASE_URL: database.url, SEED_DEMO: 'true', PORT: '0' }
        : { DATA_DIR: join(dataDir, 'data'), PORT: '0' };
    const server = await startServerProcess({ ...env, NODE_ENV: 'development' }, [join(outDir, 'main.js')]);
    try {
      // Written to standard error before `listening` goes to standard output, but the two pipes
      // may be read in either order.
      await eventually(() => keyPattern.test(server.stderr()), 'the demo key on standard error');
      const key = keyPattern.exec(server.stderr())?.[0];
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: '{ viewer { keyName controller { slug } } }' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        data: { viewer: { keyName: expect.any(String), controller: { slug: 'demo' } } },
      });
      expect(await server.stop()).toBe(0);
    } finally {
      server.kill();
    }
    expect(server.lines.filter((line) => 'text' in line)).toEqual([]);
  });

  it('runs the compiled CLI', async () => {
    const env: Record<string, string> =
      database?.url != null ? { DATABASE_URL: database.url } : { DATA_DIR: join(dataDir, 'data') };
    const child = spawn(process.execPath, [join(outDir, 'cli', 'main.js'), 'controller', 'list'], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: '', DATA_DIR: '', ENV_FILE: '/dev/null', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    expect(await exitOf(child), stderr).toBe(0);
    expect(stdout).toContain('demo');
  });
});
