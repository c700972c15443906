/**
 * What the benchmarks share: the notice-read benchmarks' app, data and query (notice-read.ts,
 * young-survivors.ts), and for every bench that goes through the API the GraphQL call
 * (`graphqlCall`) and the publication of a version (`publishBenchVersion`).
 */
import { type App, createApp } from '../src/app.js';
import type { Database } from '../src/db/database.js';
import { createLogger } from '../src/log/logger.js';
import { issueApiKey } from '../src/modules/api-key/api-key.service.js';
import { createController } from '../src/modules/controller/controller.service.js';

/** The frontend notice query: the version in force in a locale with its text and purposes, and 20 versions of history. */
export const noticeQuery = `query($locale: Locale!) { notice(key: "privacy-policy") {
  currentVersion(locale: $locale) { number text { locale title body } purposes { purposeKey name legalBasis } }
  versions(first: 20) { edges { node { number effectiveFrom purposes { purposeKey name legalBasis } } } }
} }`;

/**
 * The app in production mode on `database`, a controller with an EDITOR and a READER key, and a
 * GraphQL call through the app's handler. Requests are made with the server's own `Request` class
 * (Yoga's Fetch API), as the HTTP server receives them.
 */
export async function benchApp(database: Database) {
  const app = createApp({ config: { environment: 'production' }, database, logger: createLogger('silent') });
  const controller = await createController(database.prisma, {
    slug: 'bench',
    name: 'Bench',
    legalName: 'Bench Ltd',
    contactEmail: 'b@bench.example',
  });
  const issue = async (role: 'EDITOR' | 'READER') =>
    (await issueApiKey(database.prisma, controller.id, { name: role.toLowerCase(), role })).secret;
  const [editor, reader] = [await issue('EDITOR'), await issue('READER')];
  return { app, call: graphqlCall(app), editor, reader };
}

/**
 * A GraphQL call through `app`'s handler in process: POST with the key as bearer; the answer's
 * `data`, or an error carrying its `errors`. Requests are made with the server's own `Request`
 * class (Yoga's Fetch API, as the Node adapter builds them in src/server.ts), not Node's global
 * one: undici's `Request` holds itself through a `WeakRef` and a `FinalizationRegistry`, which
 * young-generation collections treat as strong, so every request would outlive its first
 * scavenge.
 */
export function graphqlCall(
  app: App,
): (key: string, query: string, variables?: Record<string, unknown>) => Promise<Record<string, unknown>> {
  const { Request } = app.yoga.fetchAPI;
  return async (key, query, variables = {}) => {
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
}

export type Call = (key: string, query: string, variables?: Record<string, unknown>) => Promise<unknown>;

/** One notice with `versions` published versions of `purposesPerVersion` purposes each, through the API. */
export async function seedNotice(
  call: Call,
  editor: string,
  versions: number,
  purposesPerVersion: number,
): Promise<void> {
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
    await publishBenchVersion(call, editor, {
      noticeKey: 'privacy-policy',
      purposeKeys: Array.from({ length: purposesPerVersion }, (_, index) => `p${index}`),
      translations: ['en', 'de', 'fr'].map((locale) => ({
        locale,
        title: `Privacy ${number}`,
        body: `${body}\n${number}`,
      })),
      changeSummary: `Version ${number}`,
      effectiveFrom: new Date().toISOString(),
    });
  }
}

/**
 * Drafts a version through the API and publishes it with the lead-time override a bench needs (its
 * versions take effect at once); returns the version's ID. `draft` is a `CreateNoticeDraftInput`.
 */
export async function publishBenchVersion(
  call: Call,
  editor: string,
  draft: Record<string, unknown>,
): Promise<string> {
  const drafted = (await call(
    editor,
    'mutation($i: CreateNoticeDraftInput!) { createNoticeDraft(input: $i) { __typename ... on NoticeVersionPayload { version { id } } ... on Error { code message } } }',
    { i: draft },
  )) as { createNoticeDraft: { version?: { id: string } } };
  const id = drafted.createNoticeDraft.version?.id;
  if (id === undefined) throw new Error(`createNoticeDraft: ${JSON.stringify(drafted)}`);
  const published = (await call(
    editor,
    'mutation($i: PublishNoticeVersionInput!) { publishNoticeVersion(input: $i) { __typename ... on Error { code message } } }',
    { i: { id, changeMessage: 'bench', leadTimeOverrideReason: 'benchmark' } },
  )) as { publishNoticeVersion: { __typename: string } };
  if (published.publishNoticeVersion.__typename !== 'NoticeVersionPayload') {
    throw new Error(`publishNoticeVersion: ${JSON.stringify(published)}`);
  }
  return id;
}
