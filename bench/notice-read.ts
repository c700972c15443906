/**
 * Frontend read latency: the SQL statement count and p50/p95 latency of
 *   notice(key) { currentVersion(locale) { purposes } versions(first: 20) { edges { node { purposes } } } }
 * through the real GraphQL handler, on PostgreSQL (BENCH_DATABASE_URL, default the local server)
 * or, with BENCH_DATABASE=pglite, on embedded PGlite. Prints its figures; asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createApp } from '../src/app.js';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../src/db/adapters.js';
import { type Database, databaseFromFactory, poolFromUrl } from '../src/db/database.js';
import { deployMigrations } from '../src/db/migrations.js';
import { createLogger } from '../src/log/logger.js';
import { issueApiKey } from '../src/modules/api-key/api-key.service.js';
import { createController } from '../src/modules/controller/controller.service.js';
import { QueryCounter } from '../test/support/query-counter.js';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const versions = Number(process.env.BENCH_VERSIONS ?? 40);
const purposesPerVersion = Number(process.env.BENCH_PURPOSES ?? 6);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);

async function openBenchDatabase(
  counter: QueryCounter,
): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (process.env.BENCH_DATABASE === 'pglite') {
    const pglite = new PGlite();
    await deployMigrations(createPgliteAdapterFactory(pglite));
    const database = databaseFromFactory(
      'embedded',
      createPgliteAdapterFactory(pglite),
      () => pglite.close(),
      {
        wrapFactory: (factory) => counter.wrap(factory),
      },
    );
    return { database, drop: async () => {} };
  }
  const name = `notarium_bench_${randomBytes(4).toString('hex')}`;
  const admin = poolFromUrl(serverUrl, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = poolFromUrl(url.toString(), 10);
  await deployMigrations(createPostgresAdapterFactory(pool));
  const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end(), {
    wrapFactory: (factory) => counter.wrap(factory),
  });
  return {
    database,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  const counter = new QueryCounter();
  const { database, drop } = await openBenchDatabase(counter);
  const app = createApp({ config: { environment: 'production' }, database, logger: createLogger('silent') });
  const controller = await createController(database.prisma, {
    slug: 'bench',
    name: 'Bench',
    legalName: 'Bench Ltd',
    contactEmail: 'b@bench.example',
  });
  const editor = (await issueApiKey(database.prisma, controller.id, { name: 'editor', role: 'EDITOR' }))
    .secret;
  const reader = (await issueApiKey(database.prisma, controller.id, { name: 'reader', role: 'READER' }))
    .secret;
  const call = async (key: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await app.fetch(
      new Request('http://bench/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query, variables }),
      }),
    );
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };

  const content = (index: number) => ({
    name: `Purpose ${index}`,
    description: 'Benchmark purpose '.repeat(20),
    legalBasis: 'CONTRACT',
    dataCategories: ['contact data', 'usage data'],
    dataSubjectCategories: ['customers'],
    recipients: ['hosting provider'],
    retentionPeriodDays: 365,
  });
  for (let index = 0; index < purposesPerVersion; index++) {
    await call(editor, 'mutation($i: CreatePurposeInput!) { createPurpose(input: $i) { __typename } }', {
      i: { key: `p${index}`, content: content(index) },
    });
  }
  await call(
    editor,
    'mutation { createNotice(input: { key: "privacy-policy", title: "Privacy", defaultLocale: "en", requiredLocales: ["de", "fr"] }) { __typename } }',
  );
  const body = 'Lorem ipsum dolor sit amet. '.repeat(200);
  for (let number = 1; number <= versions; number++) {
    const draft = (await call(
      editor,
      'mutation($i: CreateNoticeDraftInput!) { createNoticeDraft(input: $i) { ... on NoticeVersionPayload { version { id } } ... on Error { code message } } }',
      {
        i: {
          noticeKey: 'privacy-policy',
          purposeKeys: Array.from({ length: purposesPerVersion }, (_, index) => `p${index}`),
          translations: ['en', 'de', 'fr'].map((locale) => ({
            locale,
            title: `Privacy ${number}`,
            body: `${body}\n${number}`,
          })),
          changeSummary: `Version ${number}`,
          effectiveFrom: new Date().toISOString(),
        },
      },
    )) as { createNoticeDraft: { version: { id: string } } };
    await call(
      editor,
      'mutation($i: PublishNoticeVersionInput!) { publishNoticeVersion(input: $i) { __typename } }',
      {
        i: {
          id: draft.createNoticeDraft.version.id,
          changeMessage: 'bench',
          leadTimeOverrideReason: 'benchmark',
        },
      },
    );
  }

  const query = `query($locale: Locale!) { notice(key: "privacy-policy") {
    currentVersion(locale: $locale) { number text { locale title body } purposes { purposeKey name legalBasis } }
    versions(first: 20) { edges { node { number effectiveFrom purposes { purposeKey name legalBasis } } } }
  } }`;
  await call(reader, query, { locale: 'de-AT' });
  const { count, statements } = await counter.measure(() => call(reader, query, { locale: 'de-AT' }));
  const timings: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = performance.now();
    await call(reader, query, { locale: 'de-AT' });
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  console.log(
    `database: ${database.kind}; ${versions} versions x ${purposesPerVersion} purposes x 3 locales`,
  );
  console.log(`frontend notice query: ${count} SQL statements per request`);
  if (process.env.BENCH_VERBOSE) for (const sql of statements) console.log(`  ${sql.slice(0, 160)}`);
  console.log(
    `latency over ${iterations} requests: p50 ${percentile(timings, 50).toFixed(2)} ms, ` +
      `p95 ${percentile(timings, 95).toFixed(2)} ms, p99 ${percentile(timings, 99).toFixed(2)} ms`,
  );
  await database.close();
  await drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
