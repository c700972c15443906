/**
 * The evidence-bundle download as docs/evidence-bundle.md and docs/regulators.md show it.
 *
 * Their `curl … /evidence/bundle` commands run against the demo (README.md, "Quick start") over
 * the app's HTTP handler, with the demo key of the role named in `Bearer $<ROLE>_KEY`;
 * `<regulator request id>` stands for the demo request's ID, listed as the page says. Each answer
 * must have the documented status, content type and file name, verify with the published key
 * (`verify-bundle --expect-key`, the command after it), and leave the documented audit entry. The
 * refusals table of the page is held to requests that draw each refusal.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { developmentSubjectRefSecret } from '../../src/config/env.js';
import { memoryRateLimiter } from '../../src/graphql/rate-limit.js';
import { createLogger } from '../../src/log/logger.js';
import { issueApiKey } from '../../src/modules/api-key/api-key.service.js';
import { type SeededDemo, seedDemoIfEmpty } from '../../src/modules/demo/seed.js';
import { verifyBundle } from '../../src/modules/evidence/verify-bundle.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';
import { brokenReferences, sectionRows } from './markdown-tables.js';

const root = join(import.meta.dirname, '..', '..');
const pages = ['docs/evidence-bundle.md', 'docs/regulators.md'];
const routeSection = "Downloading a regulator request's bundle over HTTP";

interface Download {
  readonly where: string;
  readonly url: string;
  readonly role: string;
  readonly output: string;
  /** The `verify-bundle` command of the same block that checks the output, if any. */
  readonly verify: string | null;
}

/** The `curl … /evidence/bundle` commands of the ```sh blocks, continuation lines joined. */
function documentedDownloads(): Download[] {
  return pages.flatMap((page) => {
    const blocks = [...readFileSync(join(root, page), 'utf8').matchAll(/```sh\n([\s\S]*?)```/g)];
    return blocks.flatMap(([, block]) => {
      const commands = block!.replaceAll('\\\n', ' ').split('\n');
      return commands
        .filter((command) => /^curl .*\/evidence\/bundle/.test(command))
        .map((command) => {
          const output = /-o (\S+)/.exec(command)?.[1] ?? '';
          return {
            where: `${page}: ${command.replace(/\s+/g, ' ').trim()}`,
            url:
              /'(http:\/\/127\.0\.0\.1:4000\/evidence\/bundle[^']*)'|(http:\/\/127\.0\.0\.1:4000\/evidence\/bundle\S*)/
                .exec(command)
                ?.slice(1)
                .find((match) => match !== undefined) ?? '',
            role: /Bearer \$([A-Z]+)_KEY/.exec(command)?.[1] ?? '',
            output,
            verify: commands.find((line) => line.includes(`verify-bundle ${output} `)) ?? null,
          };
        });
    });
  });
}

const downloads = documentedDownloads();

describe('the documented evidence-bundle download', { timeout: heavyTestTimeout }, () => {
  let database: TestDatabase;
  let app: App;
  let demo: SeededDemo;
  let closed = false;
  const keyOf: Record<string, string> = {};
  const directory = mkdtempSync(join(tmpdir(), 'notarium-bundle-doc-'));

  const graphql = async <T>(
    key: string,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> => {
    const response = await app.fetch(
      new Request('http://notarium.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      }),
    );
    const body = (await response.json()) as { data: T; errors?: unknown };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data;
  };

  const download = (path: string, headers: Record<string, string> = {}, on: App = app) =>
    on.fetch(new Request(`http://notarium.test${path}`, { headers }));

  beforeAll(async () => {
    database = await openTestDatabase();
    demo = (await seedDemoIfEmpty(database, developmentSubjectRefSecret))!;
    app = createApp({ config: { environment: 'test' }, database, logger: createLogger('silent') });
    keyOf.ADMIN = demo.keys.admin;
    keyOf.REGULATOR = demo.keys.regulator;
  }, heavyTestTimeout);
  afterAll(async () => {
    if (!closed) await database?.close();
  });

  it('finds the download commands of both pages', () => {
    expect(downloads.map((item) => item.where.split(':')[0]).sort()).toEqual([...pages, pages[0]].sort());
    for (const item of downloads) {
      expect(item.url, item.where).not.toBe('');
      expect(Object.keys(keyOf), item.where).toContain(item.role);
      expect(item.output, item.where).not.toBe('');
    }
    expect(downloads.filter((item) => item.role === 'REGULATOR' && item.verify !== null)).toHaveLength(2);
  });

  it('links only to files and headings that exist', () => {
    expect(pages.flatMap((page) => brokenReferences(root, page))).toEqual([]);
  });

  it.each(downloads.map((item) => [item.where, item] as const))('%s', async (_where, item) => {
    const requests = await graphql<{
      regulatorRequests: { edges: { node: { id: string; authority: string; reference: string } }[] };
    }>(
      demo.keys.admin,
      'query { regulatorRequests(first: 10) { edges { node { id authority reference } } } }',
    );
    expect(requests.regulatorRequests.edges).toHaveLength(1);
    const request = requests.regulatorRequests.edges[0]!.node;
    const url = new URL(item.url.replace('<regulator request id>', encodeURIComponent(request.id)));
    const key = keyOf[item.role]!;

    const response = await download(`${url.pathname}${url.search}`, { authorization: `Bearer ${key}` });
    const body = await response.text();
    expect(response.status, body.slice(0, 500)).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="evidence-[0-9a-f-]{36}\.ndjson"$/,
    );
    const file = join(directory, item.output);
    writeFileSync(file, body);

    const published = await graphql<{ evidenceSigningKeys: { keyId: string }[] }>(
      key,
      'query { evidenceSigningKeys { keyId } }',
    );
    const keyId = published.evidenceSigningKeys[0]!.keyId;
    const verified = await verifyBundle(file, { expectedKey: keyId });
    expect(verified.problems).toEqual([]);
    expect({ valid: verified.valid, keyMatchesExpected: verified.keyMatchesExpected }).toEqual({
      valid: true,
      keyMatchesExpected: true,
    });
    const jwks = (await (await download('/.well-known/jwks.json?controller=demo')).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((jwk) => jwk.kid)).toContain(keyId);

    const manifest = verified.manifest as { bundleId: string };
    const audit = await graphql<{
      auditTrail: { edges: { node: { actorRole: string; details: { purpose: string; keyId: string } } }[] };
    }>(
      demo.keys.admin,
      'query($target: String!) { auditTrail(first: 5, action: "evidenceBundle:export", targetId: $target) { edges { node { actorRole details } } } }',
      { target: manifest.bundleId },
    );
    expect(audit.auditTrail.edges.map((edge) => edge.node)).toEqual([
      {
        actorRole: item.role,
        details: expect.objectContaining({ purpose: `${request.authority} ${request.reference}`, keyId }),
      },
    ]);
  });

  it('refuses as its table says', async () => {
    const table = sectionRows(readFileSync(join(root, pages[0]!), 'utf8'), routeSection)
      .filter((row) => /^\d{3}$/.test(row.cells[0]!))
      .map((row) => `${row.cells[0]} ${row.cells[1]!.replaceAll('`', '')}`);
    const controllerId = (await database.prisma.controller.findUniqueOrThrow({ where: { slug: 'demo' } })).id;
    const issue = async (input: Partial<Parameters<typeof issueApiKey>[2]>) =>
      (await issueApiKey(database.prisma, controllerId, { name: 'doc test', role: 'ADMIN', ...input }))
        .secret;
    const revoked = await issueApiKey(database.prisma, controllerId, { name: 'revoked', role: 'ADMIN' });
    await database.prisma.apiKey.update({
      where: { id: revoked.apiKey.id },
      data: { revokedAt: new Date() },
    });
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const throttled = createApp({
      config: { environment: 'test' },
      database,
      logger: createLogger('silent'),
      limits: { rateLimiter: memoryRateLimiter(0) },
    });
    const probes: Record<string, () => Promise<Response>> = {
      '401 UNAUTHENTICATED': () => download('/evidence/bundle'),
      '401 API_KEY_INVALID': () => download('/evidence/bundle', bearer('not-a-key')),
      '401 API_KEY_REVOKED': () => download('/evidence/bundle', bearer(revoked.secret)),
      '401 API_KEY_EXPIRED': async () =>
        download('/evidence/bundle', bearer(await issue({ expiresAt: new Date(Date.now() - 60_000) }))),
      '403 FORBIDDEN': () => download('/evidence/bundle', bearer(demo.keys.reader)),
      '403 TRUSTED_DOCUMENT_REQUIRED': async () =>
        download('/evidence/bundle', bearer(await issue({ trustedDocumentsOnly: true }))),
      '404 NOT_FOUND': () => download('/evidence/bundle', bearer(demo.keys.admin)),
      '405 METHOD_NOT_ALLOWED': () =>
        app.fetch(
          new Request('http://notarium.test/evidence/bundle', {
            method: 'POST',
            headers: bearer(demo.keys.regulator),
          }),
        ),
      '429 RATE_LIMITED': () => download('/evidence/bundle', bearer(demo.keys.regulator), throttled),
      '503 SERVICE_UNAVAILABLE': async () => {
        await database.close();
        closed = true;
        return download('/evidence/bundle', bearer(demo.keys.regulator));
      },
    };
    expect(table.sort()).toEqual(Object.keys(probes).sort());
    for (const [refusal, probe] of Object.entries(probes)) {
      const response = await probe();
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(`${response.status} ${body.errors[0]!.extensions.code}`).toBe(refusal);
    }
  });
});
