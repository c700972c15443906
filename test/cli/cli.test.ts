import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/db/data-dir-lock.js';
import { cliHangLimitMs, runCli } from '../support/run-process.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Each test waits for CLI processes to exit, whatever that takes on a loaded machine: the limit
 * is the hang guard of every run a test makes, not an expectation of speed.
 */
const processes = (count: number) => ({ timeout: count * cliHangLimitMs });

/** A failure the user can read: exit 1, one line on standard error, no stack frame. */
function expectOneLineFailure(result: ReturnType<typeof runCli>, message: RegExp) {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
  expect(result.status).toBe(1);
}

describe('CLI: controllers and keys', () => {
  const directory = mkdtempSync(join(tmpdir(), 'notarium-cli-'));
  let database: TestDatabase | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (process.env.TEST_DATABASE_URL) {
      database = await openTestDatabase();
      env = { DATABASE_URL: database.url ?? '' };
    } else {
      env = { DATA_DIR: join(directory, 'data') };
    }
  }, cliHangLimitMs);
  afterAll(async () => {
    await database?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('deploys, creates a controller and a key shown once, lists and revokes it', processes(6), () => {
    expect(runCli(['migrate', 'deploy'], env).status).toBe(0);
    const created = runCli(
      [
        'controller',
        'create',
        '--slug',
        'acme',
        '--name',
        'Acme',
        '--legal-name',
        'Acme SE',
        '--contact-email',
        'p@acme.example',
      ],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/Created controller acme/);

    const key = runCli(
      ['key', 'create', '--controller', 'acme', '--name', 'mailer', '--role', 'NOTIFIER'],
      env,
    );
    expect(key.status).toBe(0);
    const id = /\(([0-9a-f-]{36})\)/.exec(key.stdout)?.[1];
    const secret = /(ntr_[a-z0-9]{8}_[A-Za-z0-9_-]{43})/.exec(key.stdout)?.[1];
    expect(id && secret).toBeTruthy();

    const listed = runCli(['key', 'list', '--controller', 'acme'], env);
    expect(listed.stdout).toContain(`${id}\t`);
    expect(listed.stdout).toContain('ACTIVE');
    expect(listed.stdout).not.toContain(secret);

    expect(runCli(['key', 'revoke', id!], env).stdout).toMatch(/Revoked key "mailer"/);
    expect(runCli(['key', 'list', '--controller', 'acme'], env).stdout).toContain('REVOKED');
  });

  it('reports every invalid option and exits non-zero', processes(2), () => {
    const result = runCli(
      [
        'controller',
        'create',
        '--slug',
        'Not A Slug',
        '--contact-email',
        'nope',
        '--reach-evidence',
        '{"EMAIL":["SENT"],"FAX":["DELIVERED"]}',
      ],
      env,
    );
    expectOneLineFailure(result, /^VALIDATION_FAILED: /);
    for (const field of [
      'slug',
      'name',
      'legalName',
      'contactEmail',
      'reachEvidence.EMAIL.0',
      'reachEvidence.FAX',
    ])
      expect(result.stderr).toContain(`${field}:`);
    const duplicate = runCli(
      [
        'controller',
        'create',
        '--slug',
        'acme',
        '--name',
        'A',
        '--legal-name',
        'A',
        '--contact-email',
        'a@b.example',
      ],
      env,
    );
    expectOneLineFailure(duplicate, /^CONFLICT: /);
  });
});

describe('CLI: failures in one line', () => {
  const directory = mkdtempSync(join(tmpdir(), 'notarium-cli-failure-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it(
    'refuses a data directory another process holds, and says how to manage keys meanwhile',
    processes(1),
    () => {
      const dataDir = join(directory, 'locked');
      const unlock = lockDataDir(dataDir);
      try {
        const result = runCli(['key', 'list', '--controller', 'acme'], { DATA_DIR: dataDir });
        expectOneLineFailure(
          result,
          new RegExp(`^DATA_DIR_LOCKED: .* is in use by process ${process.pid}\\b.*ADMIN key`),
        );
      } finally {
        unlock();
      }
    },
  );

  it('tells to migrate a database that is not migrated', processes(1), async () => {
    let empty: TestDatabase | null = null;
    let env: Record<string, string> = { DATA_DIR: join(directory, 'unmigrated') };
    if (process.env.TEST_DATABASE_URL) {
      empty = await openTestDatabase();
      await empty.sql('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      env = { DATABASE_URL: empty.url ?? '' };
    }
    try {
      const result = runCli(['key', 'list', '--controller', 'acme'], env);
      expectOneLineFailure(result, /not migrated: .*Controller.* migrate deploy/);
    } finally {
      await empty?.close();
    }
  });

  it('refuses bad arguments before opening any database', processes(4), () => {
    const env = { DATA_DIR: join(directory, 'never-opened') };
    const create = ['key', 'create', '--controller', 'acme', '--name', 'web', '--role', 'READER'];
    // Copied from the usage line with its brackets.
    expectOneLineFailure(
      runCli([...create, '[--expires-at', '2027-01-01T00:00:00Z]'], env),
      /Unexpected argument '\[--expires-at'.*Leave out the \[ \]/,
    );
    for (const expiresAt of ['yesterday', '2027-02-30T00:00:00Z'])
      expectOneLineFailure(
        runCli([...create, '--expires-at', expiresAt], env),
        new RegExp(`^VALIDATION_FAILED: --expires-at: must be an ISO 8601 .*"${expiresAt}"`),
      );
    expectOneLineFailure(runCli([...create, '--expires'], env), /Unknown option '--expires'/);
    expect(existsSync(env.DATA_DIR)).toBe(false);
  });

  it('prints an unexpected error as its message alone', processes(2), () => {
    expectOneLineFailure(
      runCli(['verify-bundle', join(directory, 'no-such-bundle.zip')], {}),
      /^Error: ENOENT: no such file or directory/,
    );
    expectOneLineFailure(
      runCli(['controller', 'list'], { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' }),
      /^Database error: .*127\.0\.0\.1:1/,
    );
  });
});
