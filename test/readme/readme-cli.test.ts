import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/env.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/log/logger.js';
import { makeKey } from '../support/factories.js';
import {
  createDraft,
  inDays,
  notMaterial,
  publish,
  publishedNotice,
  translations,
} from '../support/notice-fixtures.js';
import { cliHangLimitMs, repoRoot, runShell } from '../support/run-process.js';
import { openTestDatabase, type TestDatabase, testTarget } from '../support/test-database.js';

/** `privacy-policy` with three published versions, for the README's `verify-version` line. */
async function seedPrivacyPolicy(database: Database) {
  const acme = await database.prisma.controller.findUniqueOrThrow({ where: { slug: 'acme' } });
  const { secret } = await makeKey(database.prisma, acme.id, 'EDITOR');
  const app = createApp({ config: { environment: 'test' }, database, logger: createLogger('silent') });
  await publishedNotice(app, secret, 'privacy-policy');
  for (const text of ['Second wording.', 'Third wording.']) {
    const id = await createDraft(app, secret, {
      noticeKey: 'privacy-policy',
      purposeKeys: ['privacy-policy-p'],
      translations: translations(text),
      effectiveFrom: inDays(0),
    });
    await publish(app, secret, id, 'README example', notMaterial);
  }
}

/** README.md, "Command line": every line of its block, run as written, in order. */
describe('README: the command line', { timeout: 16 * cliHangLimitMs }, () => {
  const directory = mkdtempSync(join(tmpdir(), 'notarium-readme-cli-'));
  let postgres: TestDatabase | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    if (testTarget === 'postgres') {
      postgres = await openTestDatabase();
      env = { DATABASE_URL: postgres.url ?? '' };
    } else env = { DATA_DIR: join(directory, 'data') };
  }, cliHangLimitMs);
  afterAll(async () => {
    await postgres?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const run = (command: string, expectedStatus = 0) => {
    const result = runShell(command, env);
    expect(result.status, `${command}\n${result.stdout}\n${result.stderr}`).toBe(expectedStatus);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    return result.stdout;
  };

  it('help, migrate, controller create, key create / list / revoke, verify-version', async () => {
    expect(run('npm run cli -- help')).toContain('Usage: npm run cli -- <command>');
    // "migrate deploy | status | check | create <name> [--empty] | resolve --rolled-back <name>":
    // create and resolve change the repository or a failed migration (test/db/migrations.test.ts).
    run('npm run cli -- migrate deploy');
    expect(run('npm run cli -- migrate status')).toContain('Database schema is up to date.');
    expect(run('npm run cli -- migrate check')).toContain('Migrations match schema.prisma.');

    expect(
      run(
        'npm run cli -- controller create --slug acme --name Acme --legal-name "Acme SE" --contact-email privacy@acme.example',
      ),
    ).toContain('Created controller acme');
    const reader = run(
      'npm run cli -- key create --controller acme --name "web frontend" --role READER --trusted-documents-only',
    );
    const readerId = /\(([0-9a-f-]{36})\)/.exec(reader)?.[1] ?? '';
    expect(readerId).not.toBe('');
    run(
      'npm run cli -- key create --controller acme --name "campaign mailer" --role NOTIFIER --expires-at 2030-01-01T00:00:00Z',
    );
    const listed = run('npm run cli -- key list --controller acme');
    expect(listed).toMatch(/\tREADER \(trusted documents only\)\tACTIVE\tweb frontend\n/);
    expect(listed).toMatch(/\tNOTIFIER\t[^\t]+\tcampaign mailer\n/);
    expect(run('npm run cli -- key revoke <key id>'.replace('<key id>', readerId))).toContain(
      'Revoked key "web frontend"',
    );

    if (postgres) await seedPrivacyPolicy(postgres);
    else {
      const database = await openDatabase(loadConfig({ DATA_DIR: env.DATA_DIR ?? '' }).database);
      try {
        await seedPrivacyPolicy(database);
      } finally {
        await database.close();
      }
    }
    expect(run('npm run cli -- verify-version --controller acme privacy-policy 3')).toContain('MATCH');
  });

  it('npm run migrate:create -- <name> writes nothing while the migrations match schema.prisma', () => {
    const probe = `readme_probe_${process.pid}`;
    const result = runShell('npm run migrate:create -- <name>'.replace('<name>', probe), env);
    const created = /Created (prisma\/migrations\/[^/\s]+)/.exec(result.stdout)?.[1];
    if (created && existsSync(join(repoRoot, created))) rmSync(join(repoRoot, created), { recursive: true });
    expect(result.stdout).toContain('schema.prisma has no changes that need a migration.');
    expect(result.status).toBe(0);
  });
});
