import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHangLimitMs, exitOf, runCli, startMain } from '../support/run-process.js';

const directory = mkdtempSync(join(tmpdir(), 'notarium-env-process-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function envFile(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

describe('.env in the server and the CLI', { timeout: 2 * cliHangLimitMs }, () => {
  it('the CLI opens the database the file names, unless the environment names another', () => {
    const fromFile = join(directory, 'from-file');
    const fromEnvironment = join(directory, 'from-environment');
    const ENV_FILE = envFile('data-dir.env', `DATA_DIR=${fromFile}\n`);
    // A fresh data directory: status opens (creates) it and reports every migration pending.
    const status = runCli(['migrate', 'status'], { ENV_FILE });
    expect(status.stdout).toMatch(/Pending: /);
    expect(existsSync(fromFile)).toBe(true);

    rmSync(fromFile, { recursive: true, force: true });
    runCli(['migrate', 'status'], { ENV_FILE, DATA_DIR: fromEnvironment });
    expect(existsSync(fromEnvironment)).toBe(true);
    expect(existsSync(fromFile)).toBe(false);
  });

  it('a malformed file stops the server and the CLI with the line named, no stack trace', async () => {
    const ENV_FILE = envFile('malformed.env', 'PORT=0\nLOG LEVEL=debug\n');
    const server = startMain({ ENV_FILE, DATA_DIR: join(directory, 'never-opened') });
    let stderr = '';
    server.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    expect(await exitOf(server)).toBe(2);
    const cli = runCli(['controller', 'list'], { ENV_FILE });
    expect(cli.status).toBe(1);
    for (const output of [stderr, cli.stderr]) {
      expect(output).toContain(`${ENV_FILE} line 2: expected NAME=value, found "LOG LEVEL=debug"`);
      expect(output).not.toMatch(/^\s+at /m);
    }
    expect(existsSync(join(directory, 'never-opened'))).toBe(false);
  });
});
