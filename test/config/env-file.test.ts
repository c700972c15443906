import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { loadEnvFile } from '../../src/config/env-file.js';

const directory = mkdtempSync(join(tmpdir(), 'notarium-env-file-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('.env', () => {
  it('fills what the environment leaves unset, and the configuration reads it', () => {
    const env: NodeJS.ProcessEnv = {};
    const path = file(
      'plain.env',
      '# a comment\n\nPORT=4100\nexport LOG_LEVEL=warn\nDATA_DIR="./data dir" # inline comment\n',
    );
    expect(loadEnvFile(env, path)).toBe(path);
    expect(env).toEqual({ PORT: '4100', LOG_LEVEL: 'warn', DATA_DIR: './data dir' });
    const config = loadConfig(env);
    expect(config.port).toBe(4100);
    expect(config.database).toMatchObject({ kind: 'embedded', dataDir: './data dir' });
  });

  it('lets the environment win over the file, even a blank value', () => {
    const env: NodeJS.ProcessEnv = { PORT: '5000', HOST: '' };
    loadEnvFile(env, file('both.env', 'PORT=4100\nHOST=0.0.0.0\nLOG_LEVEL=debug\n'));
    expect(env).toEqual({ PORT: '5000', HOST: '', LOG_LEVEL: 'debug' });
  });

  it('is optional: a missing .env changes nothing', () => {
    const env: NodeJS.ProcessEnv = { PORT: '5000' };
    expect(loadEnvFile(env, join(directory, 'absent.env'))).toBeNull();
    expect(env).toEqual({ PORT: '5000' });
  });

  it('reads the file ENV_FILE names, which must exist', () => {
    const path = file('named.env', 'PORT=4200\n');
    const env: NodeJS.ProcessEnv = { ENV_FILE: path };
    loadEnvFile(env, join(directory, 'absent.env'));
    expect(env.PORT).toBe('4200');
    const missing = join(directory, 'missing.env');
    expect(problemsOf(() => loadEnvFile({ ENV_FILE: missing }))).toEqual([
      `ENV_FILE: cannot read ${missing} (ENOENT)`,
    ]);
  });

  it('refuses a malformed file, naming every bad line, and sets nothing from it', () => {
    const path = file('bad.env', 'PORT=4100\nLOG LEVEL=debug\ndatabase url\nSECRET="opened\n  closed"\n');
    const env: NodeJS.ProcessEnv = {};
    expect(problemsOf(() => loadEnvFile(env, path))).toEqual([
      `${path} line 2: expected NAME=value, found "LOG LEVEL=debug"`,
      `${path} line 3: expected NAME=value, found "database url"`,
      `${path} line 4: a quoted value must close on its own line`,
      `${path} line 5: expected NAME=value, found "closed""`,
    ]);
    expect(env).toEqual({});
  });
});
