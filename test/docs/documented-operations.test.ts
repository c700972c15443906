/**
 * Every GraphQL operation in README.md and docs/*.md runs against the demo and answers with data.
 *
 * What counts as an operation:
 * - a fenced ```graphql block (one operation per block);
 * - the JSON body of a `curl … -d '{"query": …}'` command in a ```sh block.
 *
 * Conventions the documentation follows so that its examples run as written:
 * - Variables: a ```json block right after the ```graphql block (only blank lines between) holds
 *   them; a curl command carries its own `variables`.
 * - Key: the demo key of the role named on the fence (```graphql key=READER), or in a curl
 *   command's `Authorization: Bearer $READER_KEY`; ADMIN otherwise. The demo has ADMIN, READER
 *   and REGULATOR keys (src/modules/demo/seed.ts).
 * - Placeholders: `<campaign id>` (in the query or a variable) stands for the demo campaign's ID,
 *   which differs from one demo to the next; the test puts it in.
 * - Subjects, notices and purposes are the demo's: demo-user-0001 … demo-user-3000,
 *   `privacy-policy` (versions 1 to 4, 4 upcoming), `service-operation`, `newsletter`,
 *   `ai-training`. Mutations use people from demo-user-2801 on (not yet notified), with
 *   idempotency keys no other example uses.
 *
 * The operations run in file order (README.md, then docs/*.md by name), each in its own request,
 * over the app's HTTP handler on a real database holding the demo. Each must answer without a
 * GraphQL error, and every root field must have an answer: not null, not an empty list or
 * connection, not one of the typed expected errors (`code` and `message`), and a bulk write must
 * not reject an item. The few operations that cannot run that way are listed below, with why.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import { developmentSubjectRefSecret } from '../../src/config/env.js';
import { createLogger } from '../../src/log/logger.js';
import { type SeededDemo, seedDemoIfEmpty } from '../../src/modules/demo/seed.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { heavyTestTimeout } from '../support/timeouts.js';
import { type DocOperation, documentedOperations } from './doc-operations.js';

/** Operations that cannot run against the demo as written, by design. Keep this list short. */
const notRun: readonly { file: string; contains: string; reason: string }[] = [
  {
    file: 'docs/webhooks.md',
    contains: 'status: DEAD',
    reason:
      'dead letters exist only after 8 failed attempts; test/modules/webhook/webhook-delivery.test.ts lists them',
  },
  {
    file: 'docs/webhooks.md',
    contains: 'redeliverWebhook',
    reason: 'needs a delivery; test/modules/webhook/webhook-delivery.test.ts redelivers',
  },
  {
    file: 'docs/subscriptions.md',
    contains: 'noticeVersionPublished',
    reason:
      'a subscription answers only when a version is published; test/modules/notice/subscription.test.ts runs it',
  },
  {
    file: 'README.md',
    contains: 'revokeApiKey',
    reason: 'needs the id of a key listed by the example before it, and would revoke it',
  },
];

const operations = documentedOperations(join(import.meta.dirname, '..', '..'));
const excluded = (operation: DocOperation) =>
  notRun.find((item) => item.file === operation.file && operation.query.includes(item.contains));

/** Why a root field's answer is empty, or null when it has one. */
function emptiness(value: unknown): string | null {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : null;
  if (typeof value !== 'object') return null;
  const object = value as Record<string, unknown>;
  if (Object.keys(object).length === 0)
    return 'an empty object (a union member the operation does not select)';
  if (typeof object.code === 'string' && typeof object.message === 'string')
    return `the error ${object.code}: ${object.message}`;
  if (Array.isArray(object.edges) && object.edges.length === 0) return 'an empty connection';
  if (typeof object.rejected === 'number' && object.rejected > 0)
    return `${object.rejected} rejected item(s): ${JSON.stringify(object.items)}`;
  return null;
}

function withPlaceholders(text: string, demo: SeededDemo): string {
  return text.replaceAll('<campaign id>', demo.campaignId);
}

describe('documented operations', { timeout: heavyTestTimeout }, () => {
  let database: TestDatabase;
  let app: App;
  let demo: SeededDemo;
  beforeAll(async () => {
    database = await openTestDatabase();
    demo = (await seedDemoIfEmpty(database, developmentSubjectRefSecret))!;
    app = createApp({ config: { environment: 'test' }, database, logger: createLogger('silent') });
  }, heavyTestTimeout);
  afterAll(async () => {
    await database?.close();
  });

  it('finds the operations of every documentation file that has some', () => {
    const files = new Set(operations.map((operation) => operation.file));
    expect([...files].sort()).toEqual(
      expect.arrayContaining(['README.md', 'docs/api-guide.md', 'docs/campaigns.md', 'docs/regulators.md']),
    );
    for (const item of notRun)
      expect(operations.some((operation) => excluded(operation) === item)).toBe(true);
  });

  it.each(
    operations
      .filter((operation) => !excluded(operation))
      .map((operation) => [`${operation.file}:${operation.line}`, operation] as const),
  )('%s answers with data', async (_label, operation) => {
    const key = { ADMIN: demo.keys.admin, READER: demo.keys.reader, REGULATOR: demo.keys.regulator }[
      operation.role
    ];
    expect(key, `no demo key for role ${operation.role}`).toBeDefined();
    const response = await app.fetch(
      new Request('http://notarium.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          query: withPlaceholders(operation.query, demo),
          variables: JSON.parse(withPlaceholders(JSON.stringify(operation.variables), demo)),
        }),
      }),
    );
    const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(body.data).toBeTruthy();
    const empty = Object.entries(body.data!)
      .map(([field, value]) => [field, emptiness(value)] as const)
      .filter(([, why]) => why !== null);
    expect(empty, JSON.stringify(body.data).slice(0, 2_000)).toEqual([]);
  });
});
