import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeCommand } from '../readme/readme-commands.js';
import { runCli, runShell, startServerProcess } from '../support/run-process.js';
import { eventually } from '../support/sse.js';
import { heavyTestTimeout } from '../support/timeouts.js';

const directory = mkdtempSync(join(tmpdir(), 'notarium-keys-running-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const keyPattern = /ntr_[a-z0-9]{8}_[A-Za-z0-9_-]{43}/;

/** A README curl command against `url` instead of the default port, its answer parsed. */
function curl(
  prefix: string,
  url: string,
  env: Record<string, string>,
  replace: Record<string, string> = {},
) {
  let script = readmeCommand(prefix).script.replaceAll('http://127.0.0.1:4000', url);
  for (const [placeholder, value] of Object.entries(replace)) script = script.replaceAll(placeholder, value);
  const result = runShell(script, env);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe(
  'keys while the embedded server runs (README, "Command line")',
  { timeout: 2 * heavyTestTimeout },
  () => {
    it('the CLI refuses the data directory with DATA_DIR_LOCKED; the README curl commands manage keys meanwhile', async () => {
      const dataDir = join(directory, 'data');
      const server = await startServerProcess({ DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development' });
      try {
        // The demo key goes to standard error before `listening` to standard output; the two pipes
        // may be read in either order.
        await eventually(() => keyPattern.test(server.stderr()), 'the demo key on standard error');
        const demoKey = keyPattern.exec(server.stderr())?.[0] ?? '';

        const cli = runCli(['key', 'list', '--controller', 'demo'], { DATA_DIR: dataDir });
        expect(cli.status).toBe(1);
        expect(cli.stderr).not.toMatch(/^\s+at /m);
        expect(cli.stderr.trimEnd().split('\n')).toEqual([
          expect.stringMatching(/^DATA_DIR_LOCKED: Data directory .* is in use by process \d+.*ADMIN key/),
        ]);

        expect(
          curl(
            "curl -s http://127.0.0.1:4000/graphql -H 'Authorization: Bearer <key>'",
            server.url,
            {},
            { '<key>': demoKey },
          ),
        ).toEqual({
          data: { viewer: { keyName: 'demo admin', role: 'ADMIN', controller: { slug: 'demo' } } },
        });

        const env = { ADMIN_KEY: demoKey };
        const created = curl(
          'curl -s http://127.0.0.1:4000/graphql -H "Authorization: Bearer $ADMIN_KEY" -H \'content-type: application/json\' -d \'{"query":"mutation($input: CreateApiKeyInput!)',
          server.url,
          env,
        ).data.createApiKey;
        expect(created).toEqual({
          secret: expect.stringMatching(keyPattern),
          apiKey: {
            id: expect.any(String),
            name: 'web frontend',
            role: 'READER',
            expiresAt: expect.any(String),
          },
        });

        const listed = curl(
          'curl -s http://127.0.0.1:4000/graphql -H "Authorization: Bearer $ADMIN_KEY" -H \'content-type: application/json\' -d \'{"query":"{ apiKeys(',
          server.url,
          env,
        );
        const nodes = listed.data.apiKeys.edges.map((edge: { node: unknown }) => edge.node);
        expect(nodes).toContainEqual(
          expect.objectContaining({ id: created.apiKey.id, name: 'web frontend', status: 'ACTIVE' }),
        );

        const revoked = curl(
          'curl -s http://127.0.0.1:4000/graphql -H "Authorization: Bearer $ADMIN_KEY" -H \'content-type: application/json\' -d \'{"query":"mutation($input: RevokeApiKeyInput!)',
          server.url,
          env,
          { '<key id>': created.apiKey.id },
        );
        expect(revoked.data.revokeApiKey.apiKey).toEqual({
          name: 'web frontend',
          status: 'REVOKED',
          revokedAt: expect.any(String),
        });

        expect(await server.stop()).toBe(0);
      } finally {
        server.kill();
      }
    });
  },
);
