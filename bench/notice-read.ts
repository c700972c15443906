/**
 * The frontend notice-history read:
 *   notice(key) { currentVersion(locale) { number text purposes } versions(first: 20) { … purposes } }
 * 1. In process, through the real GraphQL handler (`app.fetch`): SQL statements (counted at the
 *    driver adapter), Node CPU per request and p50/p95/p99 latency of sequential requests.
 * 2. Over HTTP: the real server (src/main.ts) as a child process, `autocannon` with
 *    BENCH_CONNECTIONS (10) concurrent clients for BENCH_DURATION seconds (20), the query and the
 *    `{ __typename }` floor: requests/s, p50/p99 latency, the server's CPU per request (from
 *    /proc/<pid>/stat), and — on PostgreSQL, through a counting proxy (bench/pg-wire-counter.ts) —
 *    statements and bytes from PostgreSQL per request.
 * On PostgreSQL (BENCH_DATABASE_URL, default the local server; the bench creates and drops its own
 * database) or, with BENCH_DATABASE=pglite, on embedded PGlite in a temporary data directory.
 * BENCH_SERVER=dist runs the compiled server (after `npm run build`) instead of src/ through tsx;
 * BENCH_SERVER_CPU_PROFILE=dir writes V8 CPU profiles of the server runs there.
 * Prints its figures; asserts nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import autocannon from 'autocannon';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../src/db/adapters.js';
import { type Database, databaseFromFactory, poolFromUrl } from '../src/db/database.js';
import { deployMigrations } from '../src/db/migrations.js';
import { QueryCounter } from '../test/support/query-counter.js';
import { benchApp, type Call, noticeQuery, seedNotice } from './notice-seed.js';
import { PgWireCounter } from './pg-wire-counter.js';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const embedded = process.env.BENCH_DATABASE === 'pglite';
const versions = Number(process.env.BENCH_VERSIONS ?? 40);
const purposesPerVersion = Number(process.env.BENCH_PURPOSES ?? 6);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const duration = Number(process.env.BENCH_DURATION ?? 20);
const repoRoot = fileURLToPath(new URL('../', import.meta.url));

const floorQuery = '{ __typename }';

interface BenchDatabase {
  database: Database;
  /** What the child server gets: DATABASE_URL (through the proxy) or DATA_DIR. */
  serverEnv: (proxyPort: number | null) => Record<string, string>;
  drop: () => Promise<void>;
}

async function openBenchDatabase(counter: QueryCounter): Promise<BenchDatabase> {
  const wrapFactory = (factory: Parameters<QueryCounter['wrap']>[0]) => counter.wrap(factory);
  if (embedded) {
    const dataDir = mkdtempSync(join(tmpdir(), 'notarium-bench-'));
    const pglite = await PGlite.create(dataDir);
    await deployMigrations(createPgliteAdapterFactory(pglite));
    const database = databaseFromFactory(
      'embedded',
      createPgliteAdapterFactory(pglite),
      () => pglite.close(),
      {
        wrapFactory,
      },
    );
    return {
      database,
      serverEnv: () => ({ DATA_DIR: dataDir }),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `notarium_bench_${randomBytes(4).toString('hex')}`;
  const admin = poolFromUrl(serverUrl, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = poolFromUrl(url.toString(), 10);
  await deployMigrations(createPostgresAdapterFactory(pool));
  const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end(), {
    wrapFactory,
  });
  return {
    database,
    serverEnv: (proxyPort) => {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxyPort);
      return { DATABASE_URL: proxied.toString() };
    },
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function inProcess(database: Database, counter: QueryCounter, call: Call, reader: string) {
  await call(reader, noticeQuery, { locale: 'de-AT' });
  const { count, statements } = await counter.measure(() => call(reader, noticeQuery, { locale: 'de-AT' }));
  const timings: number[] = [];
  const cpu = process.cpuUsage();
  for (let index = 0; index < iterations; index++) {
    const started = performance.now();
    await call(reader, noticeQuery, { locale: 'de-AT' });
    timings.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  timings.sort((a, b) => a - b);
  console.log(
    `database: ${database.kind}; ${versions} versions x ${purposesPerVersion} purposes x 3 locales`,
  );
  console.log(`in process (app.fetch), load average ${load()}:`);
  console.log(`  notice query: ${count} SQL statements per request (the API-key lookup included)`);
  if (process.env.BENCH_VERBOSE) for (const sql of statements) console.log(`    ${sql.slice(0, 160)}`);
  console.log(
    `  ${iterations} sequential requests: p50 ${percentile(timings, 50).toFixed(2)} ms, ` +
      `p95 ${percentile(timings, 95).toFixed(2)} ms, p99 ${percentile(timings, 99).toFixed(2)} ms, ` +
      `Node CPU ${((used.user + used.system) / 1000 / iterations).toFixed(2)} ms/request (bench and app in one process)`,
  );
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (100 ticks a second). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const { DATABASE_URL: _url, DATA_DIR: _dir, TEST_DATABASE_URL: _test, ...rest } = process.env;
  // BENCH_SERVER=dist runs the compiled server (`npm run build` first), as `npm start` does;
  // BENCH_SERVER_CPU_PROFILE=dir writes a V8 CPU profile of each server run into dir.
  const entry = process.env.BENCH_SERVER === 'dist' ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const profileDir = process.env.BENCH_SERVER_CPU_PROFILE;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  // BENCH_SERVER_NODE_FLAGS: more V8 or Node flags for the server (e.g. `--single-threaded-gc`).
  const flags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, ...profile, ...entry], {
    cwd: repoRoot,
    env: {
      ...rest,
      NODE_ENV: 'production',
      SUBJECT_REF_SECRET: randomBytes(32).toString('hex'),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000000',
      MIGRATE_ON_START: 'false',
      SEED_DEMO: 'false',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`))),
  );
  // Ready when /readyz answers 200 (a loaded machine may take a while to start it).
  const ready = (async () => {
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  await Promise.race([ready, exited]);
  return { child, url };
}

interface HttpFigures {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  cpuMs: number;
  statements: number | null;
  kilobytes: number | null;
  failures: number;
}

async function httpRun(
  url: string,
  pid: number,
  proxy: PgWireCounter | null,
  key: string,
  query: string,
  seconds: number,
): Promise<HttpFigures> {
  const wire = proxy?.snapshot();
  const cpu = processCpuSeconds(pid);
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables: { locale: 'de-AT' } }),
  });
  const cpuUsed = processCpuSeconds(pid) - cpu;
  const requests = result.requests.total;
  const after = proxy?.snapshot();
  return {
    requests,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMs: (cpuUsed * 1000) / requests,
    statements: wire && after ? (after.statements - wire.statements) / requests : null,
    kilobytes: wire && after ? (after.bytesFromServer - wire.bytesFromServer) / 1000 / requests : null,
    failures: result.non2xx + result.errors,
  };
}

function describe(name: string, figures: HttpFigures): string {
  const wire =
    figures.statements === null
      ? 'statements and bytes: not measured (PGlite runs inside the server)'
      : `${figures.statements.toFixed(2)} SQL statements, ${figures.kilobytes!.toFixed(1)} kB from PostgreSQL per request`;
  return (
    `  ${name}: ${figures.perSecond.toFixed(0)} requests/s (${figures.requests} in ${duration} s), ` +
    `p50 ${figures.p50} ms, p99 ${figures.p99} ms, server CPU ${figures.cpuMs.toFixed(2)} ms/request, ${wire}` +
    `${figures.failures ? `, ${figures.failures} failed` : ''}; load average ${load()}`
  );
}

async function overHttp(bench: BenchDatabase, reader: string) {
  const proxy = embedded
    ? null
    : new PgWireCounter(new URL(serverUrl).hostname, Number(new URL(serverUrl).port || 5432));
  const proxyPort = proxy ? await proxy.listen() : null;
  const { child, url } = await startServer(bench.serverEnv(proxyPort));
  try {
    const check = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${reader}` },
      body: JSON.stringify({ query: noticeQuery, variables: { locale: 'de-AT' } }),
    });
    const answer = (await check.json()) as { errors?: unknown };
    if (answer.errors) throw new Error(`the server refused the query: ${JSON.stringify(answer.errors)}`);
    console.log(
      `over HTTP (${url}, ${connections} connections, ${duration} s per run, after a 3 s warm-up):`,
    );
    await httpRun(url, child.pid!, proxy, reader, noticeQuery, 3);
    console.log(
      describe('{ __typename } floor', await httpRun(url, child.pid!, proxy, reader, floorQuery, duration)),
    );
    console.log(
      describe('notice query', await httpRun(url, child.pid!, proxy, reader, noticeQuery, duration)),
    );
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await proxy?.close();
  }
}

async function main() {
  const counter = new QueryCounter();
  const bench = await openBenchDatabase(counter);
  const { database } = bench;
  try {
    const { call, editor, reader } = await benchApp(database);
    await seedNotice(call, editor, versions, purposesPerVersion);
    await inProcess(database, counter, call, reader);
    // The child server opens the database itself (PGlite allows one process at a time).
    await database.close();
    await overHttp(bench, reader);
  } finally {
    await database.close();
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
