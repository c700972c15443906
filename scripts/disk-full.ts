/**
 * Runs the embedded server on a small tmpfs, fills the disk, and prints what happens: the HTTP
 * status and error code of writes while space is short, whether reads and /healthz are still
 * served, and whether writes come back once space is freed. Then the same without the free-space
 * guard (as when another process takes the space between the guard's check and a write), where
 * PGlite itself runs out: the server must exit non-zero with a clear message, not hang, and
 * start again once space is back.
 *
 *   npx tsx scripts/disk-full.ts
 *
 * Needs root (it mounts a tmpfs); elsewhere it prints "skipped: …" and exits 0.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const unguarded = fileURLToPath(new URL('./disk-full-unguarded.mjs', import.meta.url));
const megabyte = 1024 * 1024;
/** A start or a request taking longer than this counts as hung; it is a guard, not a speed claim. */
const hangLimitMs = 5 * 60_000;

const say = (line: string) => process.stdout.write(`${line}\n`);
const servers = new Set<ChildProcess>();

function mountTmpfs(megabytes: number): string | null {
  const mountPoint = mkdtempSync(join(tmpdir(), 'notarium-disk-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', mountPoint], {
      stdio: 'pipe',
    });
    return mountPoint;
  } catch (error) {
    rmSync(mountPoint, { recursive: true, force: true });
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    say(`skipped: cannot mount a tmpfs here (${detail})`);
    return null;
  }
}

function unmount(mountPoint: string): void {
  try {
    execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  } finally {
    rmSync(mountPoint, { recursive: true, force: true });
  }
}

const freeBytes = (path: string) => {
  const stats = statfsSync(path);
  return stats.bavail * stats.bsize;
};
const inMegabytes = (bytes: number) => `${(bytes / megabyte).toFixed(1)} MB`;

/** Fills the file system with a filler file until only `leaveBytes` are free (or none). */
function fill(mountPoint: string, leaveBytes: number): void {
  const descriptor = openSync(join(mountPoint, 'filler'), 'a');
  const chunk = Buffer.alloc(256 * 1024);
  try {
    for (let free = freeBytes(mountPoint); free > leaveBytes; free = freeBytes(mountPoint))
      writeSync(descriptor, chunk, 0, Math.min(chunk.length, free - leaveBytes));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(descriptor);
  }
  say(`  filled the disk: ${inMegabytes(freeBytes(mountPoint))} free`);
}

function freeSpace(mountPoint: string): void {
  rmSync(join(mountPoint, 'filler'), { force: true });
  say(`  freed the filler: ${inMegabytes(freeBytes(mountPoint))} free`);
}

function withHangLimit<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${hangLimitMs / 1000} s (hung)`)),
      hangLimitMs,
    );
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  stderr(): string;
}

interface Failed {
  readonly code: number | null;
  readonly stderr: string;
}

/** Starts `src/main.ts` on the data directory; resolves once it listens, or with its exit. */
async function startServer(
  dataDir: string,
  options: { unguarded?: boolean } = {},
): Promise<Started | Failed> {
  const { DATABASE_URL: _database, ...environment } = process.env;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...(options.unguarded ? ['--import', unguarded] : []), 'src/main.ts'],
    {
      cwd: repoRoot,
      env: { ...environment, DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
  let buffer = '';
  const listening = new Promise<string>((resolve) => {
    child.stdout?.on('data', (chunk) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const entry = JSON.parse(line) as { message?: string; url?: string };
        if (entry.message === 'listening') resolve(String(entry.url).replace('/graphql', ''));
      }
    });
  });
  const first = await withHangLimit(
    Promise.race([listening, exited.then((exit) => exit)]),
    'server start',
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    return { code: null, stderr: error.message };
  });
  if (typeof first !== 'string') return first;
  return { child, url: first, exited, stderr: () => stderr };
}

async function stopServer(server: Started): Promise<number | null> {
  server.child.kill('SIGTERM');
  return (await withHangLimit(server.exited, 'server stop')).code;
}

interface Answer {
  readonly status: number | string;
  /** The error codes, the result's error code or type name. */
  readonly outcome: string;
  readonly result?: unknown;
}

async function graphql(url: string, key: string, query: string, variables: object = {}): Promise<Answer> {
  try {
    const response = await withHangLimit(
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      }),
      'request',
    );
    const body = (await response.json()) as {
      data?: Record<string, { __typename?: string; code?: string } | null> | null;
      errors?: { extensions?: { code?: string } }[];
    };
    const result = body.data ? Object.values(body.data)[0] : null;
    const outcome =
      body.errors?.map((error) => error.extensions?.code ?? 'error').join(', ') ??
      result?.code ??
      result?.__typename ??
      'ok';
    return { status: response.status, outcome, result };
  } catch (error) {
    const { message, cause } = error as Error;
    return { status: 'no answer', outcome: cause ? String(cause) : message };
  }
}

async function healthz(url: string): Promise<string> {
  try {
    return `HTTP ${(await withHangLimit(fetch(`${url}/healthz`), '/healthz')).status}`;
  } catch (error) {
    const { message, cause } = error as Error & { cause?: { code?: string } };
    return cause?.code === 'ECONNREFUSED' ? 'refused (the server is stopping)' : message;
  }
}

let counter = 0;
const createKey = (url: string, key: string) =>
  graphql(
    url,
    key,
    'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on Error { code } } }',
    { input: { name: `disk-full ${++counter}`, role: 'READER' } },
  );
const readKeys = (url: string, key: string) =>
  graphql(url, key, '{ apiKeys(first: 5) { edges { node { name } } } }');

/** About 2 MB of text that does not compress, so every write really takes space. */
function bigTranslations() {
  return ['en', 'de'].map((locale) => ({
    locale,
    title: `Notice (${locale})`,
    body: randomBytes(740_000).toString('base64'),
  }));
}

const report = (label: string, answer: Answer) =>
  say(`  ${label.padEnd(34)} HTTP ${answer.status} ${answer.outcome}`);

async function guardedPhase(mountPoint: string, dataDir: string): Promise<string | null> {
  say('\n1. With the free-space guard (writes stop below 64 MB free)');
  const server = await startServer(dataDir);
  if (!('url' in server)) {
    say(`  server did not start (exit ${server.code}): ${server.stderr.trim()}`);
    return null;
  }
  const key = /(ntr_[a-z0-9]{8}_[A-Za-z0-9_-]{43})/.exec(server.stderr())?.[1];
  if (key === undefined) throw new Error('The server printed no demo key.');
  report('write (disk has space)', await createKey(server.url, key));
  report('read', await readKeys(server.url, key));
  fill(mountPoint, 32 * megabyte);
  for (let attempt = 1; attempt <= 3; attempt++)
    report(`write ${attempt} (space short)`, await createKey(server.url, key));
  report('read (space short)', await readKeys(server.url, key));
  say(`  /healthz (space short)             ${await healthz(server.url)}`);

  say(`  restarting while space is short: exit ${await stopServer(server)}`);
  const restarted = await startServer(dataDir);
  if (!('url' in restarted)) {
    say(`  server did not start (exit ${restarted.code}): ${restarted.stderr.trim()}`);
    freeSpace(mountPoint);
    return key;
  }
  report('read after restart (space short)', await readKeys(restarted.url, key));
  report('write after restart (space short)', await createKey(restarted.url, key));
  freeSpace(mountPoint);
  report('write (space freed)', await createKey(restarted.url, key));
  report('read (space freed)', await readKeys(restarted.url, key));
  say(`  stopped: exit ${await stopServer(restarted)}`);
  return key;
}

async function unguardedPhase(mountPoint: string, dataDir: string, key: string): Promise<void> {
  say('\n2. Without the guard: PGlite itself runs out of space (big writes of ~2 MB each)');
  const server = await startServer(dataDir, { unguarded: true });
  if (!('url' in server)) {
    say(`  server did not start (exit ${server.code}): ${server.stderr.trim()}`);
    return;
  }
  report(
    'create notice',
    await graphql(
      server.url,
      key,
      'mutation { createNotice(input: { key: "disk-full", title: "Disk full", defaultLocale: "en" }) { __typename } }',
    ),
  );
  const created = await graphql(
    server.url,
    key,
    'mutation($input: CreateNoticeDraftInput!) { createNoticeDraft(input: $input) { __typename ... on NoticeVersionPayload { version { id } } ... on Error { code } } }',
    {
      input: {
        noticeKey: 'disk-full',
        translations: bigTranslations(),
        purposeKeys: [],
        changeSummary: 'first',
        effectiveFrom: new Date(Date.now() + 60 * 86_400_000).toISOString(),
      },
    },
  );
  report('big write: create draft', created);
  const draftId = (created.result as { version?: { id?: string } } | null)?.version?.id;
  if (draftId === undefined) return;
  // Less than the 16 MB PostgreSQL needs for its next WAL segment, more than a few writes need.
  fill(mountPoint, 15 * megabyte);
  const updateDraft =
    'mutation($input: UpdateNoticeDraftInput!) { updateNoticeDraft(input: $input) { __typename ... on Error { code } } }';
  let exit: { code: number | null; stderr: string } | null = null;
  server.exited.then((value) => {
    exit = value;
  });
  let stopping = false;
  let acknowledged = 'first';
  for (let attempt = 1; attempt <= 40 && exit === null && !stopping; attempt++) {
    const answer = await graphql(server.url, key, updateDraft, {
      input: { id: draftId, translations: bigTranslations(), changeSummary: `write ${attempt}` },
    });
    if (answer.outcome === 'NoticeVersionPayload') acknowledged = `write ${attempt}`;
    const health = await healthz(server.url);
    say(
      `  big write ${String(attempt).padEnd(24)} HTTP ${answer.status} ${answer.outcome}; ` +
        `${inMegabytes(freeBytes(mountPoint))} free; /healthz ${health}`,
    );
    stopping = !health.startsWith('HTTP');
  }
  if (!stopping && exit === null)
    say('  no PANIC: PostgreSQL refused every write that did not fit with an ERROR');
  const ended =
    exit ??
    (stopping
      ? await withHangLimit(server.exited, 'server exit')
      : { code: await stopServer(server), stderr: server.stderr() });
  const lastLine = ended.stderr.trim().split('\n').at(-1) ?? '';
  say(`  server exited with code ${ended.code}: ${lastLine}`);

  say('  starting again while the disk is still full:');
  const blocked = await startServer(dataDir);
  if ('url' in blocked) {
    report('  read', await readKeys(blocked.url, key));
    say(`  stopped: exit ${await stopServer(blocked)}`);
  } else say(`  exit ${blocked.code}: ${blocked.stderr.trim().split('\n').at(-1)}`);

  freeSpace(mountPoint);
  const recovered = await startServer(dataDir);
  if (!('url' in recovered)) {
    say(`  server did not start after freeing space (exit ${recovered.code}): ${recovered.stderr.trim()}`);
    return;
  }
  report('read after recovery', await readKeys(recovered.url, key));
  const draft = await graphql(
    recovered.url,
    key,
    '{ notice(key: "disk-full") { drafts(first: 1) { edges { node { changeSummary } } } } }',
  );
  const kept = (draft.result as { drafts?: { edges?: { node: { changeSummary: string } }[] } } | null)?.drafts
    ?.edges?.[0]?.node.changeSummary;
  say(`  the draft after recovery holds ${kept}; the last write acknowledged was ${acknowledged}`);
  report('write after recovery', await createKey(recovered.url, key));
  say(`  stopped: exit ${await stopServer(recovered)}`);
}

async function run(): Promise<void> {
  if (process.platform !== 'linux') {
    say('skipped: needs Linux (tmpfs)');
    return;
  }
  const mountPoint = mountTmpfs(160);
  if (mountPoint === null) return;
  say(`tmpfs of 160 MB at ${mountPoint}`);
  try {
    const dataDir = join(mountPoint, 'data');
    const key = await guardedPhase(mountPoint, dataDir);
    if (key !== null) await unguardedPhase(mountPoint, dataDir, key);
  } finally {
    const running = [...servers].map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of servers) child.kill('SIGKILL');
    await Promise.all(running);
    unmount(mountPoint);
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`disk-full: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
