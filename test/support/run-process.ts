import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** The process environment a child gets: ours minus anything that would pick another database. */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, DATA_DIR: _dataDir, TEST_DATABASE_URL: _test, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'info', ...overrides };
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

export function startMain(env: Record<string, string>) {
  return spawn(tsx, ['src/main.ts'], {
    cwd: repoRoot,
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
