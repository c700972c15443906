/**
 * Start time and memory of the compiled server (`node dist/main.js`), on PGlite and on PostgreSQL:
 * time from spawn to the `listening` log line, RSS right after, after 200 requests, and after a
 * few seconds of `{ __typename }` load with a valid key (requests/s with the key cache on and
 * off). Builds dist/ first when it is missing or older than a source file (BENCH_BUILD=1 forces).
 *
 * Settings: BENCH_DATABASES (pglite,postgres), BENCH_DATABASE_URL (a PostgreSQL server URL; the
 * bench creates and drops its own database), BENCH_LOAD_SECONDS (5), BENCH_CONNECTIONS (10).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const databases = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',');
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const children = new Set<ChildProcess>();

const load = () =>
  loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function buildIfNeeded(): void {
  const main = join(root, 'dist', 'main.js');
  let built = 0;
  try {
    built = statSync(main).mtimeMs;
  } catch {}
  if (process.env.BENCH_BUILD !== '1' && built > newestMtime(join(root, 'src'))) return;
  console.log('building dist/ (npm run build)…');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed');
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kib / 1024);
}

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  /** The demo key, once standard error has shown it (a first start on an empty database). */
  readonly demoKey: Promise<string>;
  readonly readyMs: number;
}

function start(env: Record<string, string>): Promise<Started> {
  const { DATABASE_URL: _url, DATA_DIR: _dir, ...rest } = process.env;
  const began = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: root,
    env: {
      ...rest,
      NODE_ENV: 'development',
      PORT: '0',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '100000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  const demoKey = new Promise<string>((resolve) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const key = /ntr_[a-z0-9]{8}_[A-Za-z0-9_-]{43}/.exec(stderr)?.[0];
      if (key !== undefined) resolve(key);
    });
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    const untilListening = (chunk: Buffer) => {
      buffer += chunk;
      // JSON lines; the field order is the logger's business, so parse each whole line.
      const lines = buffer.split('\n').slice(0, -1);
      const listening = lines
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { message?: string; url?: string })
        .find((line) => line.message === 'listening');
      const url = listening?.url?.replace(/\/graphql$/, '');
      if (url === undefined) return;
      const readyMs = performance.now() - began;
      // From here on the access log is only drained.
      child.stdout.off('data', untilListening);
      child.stdout.on('data', () => {});
      resolve({ child, url, demoKey, readyMs });
    };
    child.stdout.on('data', untilListening);
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function typename(url: string, key: string): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: '{"query":"{ __typename }"}',
  });
  if (response.status !== 200) throw new Error(`{ __typename } answered ${response.status}`);
  await response.arrayBuffer();
}

async function requestsPerSecond(url: string, key: string): Promise<number> {
  const result = await autocannon({
    url: `${url}/graphql`,
    method: 'POST',
    connections,
    duration: loadSeconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: '{"query":"{ __typename }"}',
  });
  if (result.non2xx > 0) throw new Error(`${result.non2xx} answers were not 2xx`);
  return Math.round(result.requests.average);
}

/** One start: time to ready, RSS after start, after 200 requests and after the load. */
async function measure(
  label: string,
  env: Record<string, string>,
  key?: string,
): Promise<string | undefined> {
  const server = await start(env);
  try {
    const pid = server.child.pid as number;
    const afterStart = rssMiB(pid);
    const bearer = key ?? (await server.demoKey);
    for (let n = 0; n < 200; n += 1) await typename(server.url, bearer);
    const afterRequests = rssMiB(pid);
    const rate = await requestsPerSecond(server.url, bearer);
    console.log(
      `${label.padEnd(44)} ready ${(server.readyMs / 1000).toFixed(2)} s · RSS ${afterStart} MiB after start, ` +
        `${afterRequests} MiB after 200 requests, ${rssMiB(pid)} MiB after ${loadSeconds} s of load · ` +
        `${rate} req/s · load ${load()}`,
    );
    return bearer;
  } finally {
    await stop(server.child);
  }
}

async function main(): Promise<void> {
  buildIfNeeded();
  console.log(`node ${process.version}, ${connections} connections, load average ${load()}`);
  for (const database of databases) {
    if (database === 'pglite') {
      const dataDir = mkdtempSync(join(tmpdir(), 'notarium-bench-startup-'));
      try {
        const env = { DATA_DIR: join(dataDir, 'data') };
        const key = await measure('PGlite, first start (migrate, seed)', env);
        await measure('PGlite, restart', env, key);
        await measure('PGlite, restart, key cache off', { ...env, API_KEY_CACHE_TTL_MS: '0' }, key);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    } else if (database === 'postgres') {
      const name = `notarium_bench_startup_${process.pid}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      try {
        const url = new URL(serverUrl);
        url.pathname = `/${name}`;
        const env = { DATABASE_URL: url.toString() };
        const key = await measure('PostgreSQL, first start (migrate, seed)', {
          ...env,
          MIGRATE_ON_START: 'true',
          SEED_DEMO: 'true',
        });
        await measure('PostgreSQL, restart', env, key);
        await measure('PostgreSQL, restart, key cache off', { ...env, API_KEY_CACHE_TTL_MS: '0' }, key);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    } else throw new Error(`unknown database ${database} in BENCH_DATABASES`);
  }
}

const stopAll = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.once('SIGINT', () => {
  stopAll();
  process.exit(130);
});
main().catch((error: unknown) => {
  stopAll();
  console.error(error);
  process.exit(1);
});
