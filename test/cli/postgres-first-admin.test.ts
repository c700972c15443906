import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { quoteIdentifier } from '../../src/db/create-database.js';
import { poolFromUrl } from '../../src/db/database.js';
import { createLogger } from '../../src/log/logger.js';
import { startServer } from '../../src/server.js';
import { cliHangLimitMs, runShell } from '../support/run-process.js';

const serverUrl = process.env.TEST_DATABASE_URL;
// A name that must be quoted: upper case, a space and a double quote.
const name = `Notarium "first admin" ${randomBytes(4).toString('hex')}`;
const databaseUrl = (() => {
  if (!serverUrl) return '';
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
})();

async function dropDatabase() {
  const admin = poolFromUrl(serverUrl ?? '', 1);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** README.md, "Running against PostgreSQL": from an empty server to a working ADMIN key. */
describe.skipIf(!serverUrl)('PostgreSQL from scratch (README)', { timeout: 6 * cliHangLimitMs }, () => {
  afterAll(dropDatabase, cliHangLimitMs);

  it('migrate:deploy creates the missing database; controller create and key create --role ADMIN give the first ADMIN key', async () => {
    const env = { DATABASE_URL: databaseUrl };
    const deploy = runShell('npm run migrate:deploy', env);
    expect(deploy.status, deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain(`Created database "${name}" (it did not exist).`);
    expect(deploy.stdout).toMatch(/Applied \d+ migrations/);

    const again = runShell('npm run migrate:deploy', env);
    expect(again.stdout).not.toContain('Created database');
    expect(again.stdout).toContain('No pending migrations to apply.');

    const controller = runShell(
      'npm run cli -- controller create --slug acme --name Acme --legal-name "Acme SE" --contact-email privacy@acme.example',
      env,
    );
    expect(controller.status, controller.stderr).toBe(0);
    const key = runShell('npm run cli -- key create --controller acme --name admin --role ADMIN', env);
    expect(key.status, key.stderr).toBe(0);
    const secret = /ntr_[a-z0-9]{8}_[A-Za-z0-9_-]{43}/.exec(key.stdout)?.[0];
    expect(secret).toBeDefined();

    const server = await startServer(
      loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', NODE_ENV: 'test' }),
      createLogger('silent'),
    );
    try {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ query: '{ viewer { keyName role controller { slug } } }' }),
      });
      expect(await response.json()).toEqual({
        data: { viewer: { keyName: 'admin', role: 'ADMIN', controller: { slug: 'acme' } } },
      });
    } finally {
      await server.shutdown();
    }
  });

  it('says what to do when the database cannot be created, in one coded line', async () => {
    // A role that may log in but not create databases.
    const role = `scratch_config_${randomBytes(4).toString('hex')}`;
    const admin = poolFromUrl(serverUrl ?? '', 1);
    await admin.query(`CREATE ROLE ${role} LOGIN NOCREATEDB`);
    try {
      const url = new URL(databaseUrl);
      url.username = role;
      url.pathname = `/${role}_missing`;
      const result = runShell('npm run --silent cli -- migrate deploy', { DATABASE_URL: url.toString() });
      expect(result.status).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^CREATE_DATABASE_FAILED: Database "${role}_missing" does not exist .*permission denied.*createdb`,
          ),
        ),
      ]);
    } finally {
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });
});
