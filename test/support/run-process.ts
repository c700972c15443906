import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** The process environment a child gets: ours minus anything that would pick another database. */
export function childEnvironment(overrides: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _database, DATA_DIR: _dataDir, TEST_DATABASE_URL: _test, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'info', ...overrides };
}

export function runCli(args: string[], env: Record<string, string>) {
  const result = spawnSync(tsx, ['src/cli/main.ts', ...args], {
    cwd: repoRoot,
    env: childEnvironment(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function startMain(env: Record<string, string>) {
  return spawn(tsx, ['src/main.ts'], {
    cwd: repoRoot,
    env: childEnvironment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}
