import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-process.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

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
  });
  afterAll(async () => {
    await database?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('deploys, creates a controller and a key shown once, lists and revokes it', { timeout: 180_000 }, () => {
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

  it('reports every invalid option and exits non-zero', { timeout: 120_000 }, () => {
    const result = runCli(['controller', 'create', '--slug', 'Not A Slug', '--contact-email', 'nope'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/VALIDATION_FAILED/);
    for (const field of ['slug', 'name', 'legalName', 'contactEmail'])
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
    expect(duplicate.stderr).toMatch(/^CONFLICT/);
  });
});
