import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/**
 * The process environment a child gets: ours minus anything that would pick another database, and
 * no `.env` (a developer's own file in the repository would otherwise fill in what the test left
 * unset); a test passes `ENV_FILE` to give one.
 */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, DATA_DIR: _dataDir, TEST_DATABASE_URL: _test, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'info', ENV_FILE: '/dev/null', ...overrides };
}

/** Far beyond any start-up seen under load: it only keeps a hung CLI from hanging the suite. */
export const cliHangLimitMs = 10 * 60_000;

/**
 * Runs the CLI to completion. A start-up on a loaded machine can take minutes, so there is no time
 * limit for speed; only a hung child is killed, after `cliHangLimitMs` (status null, and the
 * signal in `stderr`).
 */
export function runCli(args: string[], env: Record<string, string>) {
  const result = spawnSync(tsx, ['src/cli/main.ts', ...args], {
    cwd: repoRoot,
    env: childEnvironment(env),
    encoding: 'utf8',
    timeout: cliHangLimitMs,
  });
  const killed = result.signal === null ? '' : `\n(runCli: killed by ${result.signal})`;
  return { status: result.status, stdout: result.stdout, stderr: `${result.stderr}${killed}` };
}

/**
 * `npm start` as it runs: Node with tsx's loader, so signals reach the server directly. (The `tsx`
 * command relays a signal to its child and, if the child does not confirm within 30 ms — easily
 * missed on a loaded machine — kills it with SIGKILL.)
 */
export function startMain(env: Record<string, string>, nodeArgs = ['--import', 'tsx', 'src/main.ts']) {
  return spawn(process.execPath, nodeArgs, {
    cwd: repoRoot,
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * The child's exit code (null when a signal ended it) once it has exited and its output has been
 * read to the end. Call it right after spawning, before the child can have exited.
 */
export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

export interface ServerProcess {
  /** Base URL, without `/graphql`. */
  readonly url: string;
  /** Its log lines so far, parsed (a line that is not JSON as `{ text }`). */
  readonly lines: readonly Record<string, unknown>[];
  /** Its standard error so far. */
  readonly stderr: () => string;
  /** Sends SIGTERM and answers the exit code once the process has exited. */
  stop(): Promise<number | null>;
  /** SIGKILL if it still runs: cleanup after a failed test. */
  kill(): void;
}

/**
 * Starts `src/main.ts` (or what `nodeArgs` name, e.g. a compiled `main.js`) and resolves when it logs `listening`; rejects, with its standard error, if
 * it exits first. There is no time limit here: how long a start takes depends on the machine's
 * load, so the wait ends on one of those two events, or at the test's own timeout.
 */
export async function startServerProcess(
  env: Record<string, string>,
  nodeArgs?: string[],
): Promise<ServerProcess> {
  const child = startMain(env, nodeArgs);
  const exited = exitOf(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const listening = new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const line = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text };
        lines.push(line);
        if (line.message === 'listening') resolve(String(line.url).replace(/\/graphql$/, ''));
      }
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening: ${stderr}`)));
  });
  let url: string;
  try {
    url = await listening;
  } catch (error) {
    kill();
    throw error;
  }
  return {
    url,
    lines,
    stderr: () => stderr,
    kill,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Runs a command line as a README shows it (`npm run cli -- …`, `curl …`) with bash, in the
 * repository, to completion; the same hang guard as `runCli`.
 */
export function runShell(command: string, env: Record<string, string>) {
  const result = spawnSync('bash', ['-c', command], {
    cwd: repoRoot,
    env: childEnvironment(env),
    encoding: 'utf8',
    timeout: cliHangLimitMs,
  });
  const killed = result.signal === null ? '' : `\n(runShell: killed by ${result.signal})`;
  return { status: result.status, stdout: result.stdout, stderr: `${result.stderr}${killed}` };
}
