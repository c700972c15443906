/**
 * Bulk ingest, proof and campaign-figure benchmark. Prints its figures; asserts nothing.
 *
 *  1. Ingest against COPY (PostgreSQL; steps `ingest` and `copy` together). BENCH_ROWS (1,000,000)
 *     notifications of version 1 to new people through `POST /graphql` of the real HTTP server
 *     (startServer), with recordNotificationColumns in batches of BENCH_BATCH (5,000),
 *     BENCH_CONCURRENCY (2) requests in flight; then as many of version 2 to the same people (their
 *     subjects exist). Beside them, server-side `COPY … FROM '<csv file>'` of as many equivalent
 *     rows into the same tables: subjects + notifications (like the first pass) and notifications
 *     of existing subjects (like the second). The work runs in BENCH_ROUNDS (4) interleaved rounds
 *     so that both sides see the same machine; it prints rows/s, CPU and WAL per row, per round and
 *     in total, and the ratios. (pg-copy-streams is not installed, so no COPY FROM STDIN.)
 *  2. Campaign live figures over those notifications: p50 of `campaign(id) { figures … }`.
 *  3. Then BENCH_PROFILE_BATCHES (11) more batches one at a time, for a breakdown of one request:
 *     SQL time per statement (at the driver adapter) and the CPU cost of each per-item step alone;
 *     then BENCH_ITEM_ROWS (200,000) through recordNotifications (one input object per item), for
 *     the two input forms side by side.
 *  4. Proof latency: the table is filled to BENCH_PROOF_ROWS (10,000,000) with INSERT … SELECT FROM
 *     generate_series in chunks of 1,000,000 (at most BENCH_PROOF_BUDGET_S seconds, default 480),
 *     one subject gets a few notifications and events through the API, and
 *     `subject(ref) { notificationProof … }` is timed BENCH_PROOF_ITERATIONS (200) times.
 *  5. PGlite: BENCH_PGLITE_ROWS (200,000) through `app.fetch` in-process.
 *
 * BENCH_STEPS (default `ingest,figures,copy,proof,pglite`) picks steps; BENCH_DATABASE_URL names the
 * server (the bench creates and drops its own database, also on failure or Ctrl-C; BENCH_KEEP_DATABASE=1
 * keeps it). It needs a superuser on a server that shares this machine's temporary directory and
 * /proc (COPY FROM a file; session_replication_role for the generated rows; CPU per process).
 * Runs with NODE_ENV=production (package.json), as a deployment would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, open, unlink } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from '@prisma/driver-adapter-utils';
import { getVariableValues, type OperationDefinitionNode, parse, validate } from 'graphql';
import type pg from 'pg';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/env.js';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../src/db/adapters.js';
import { type Database, databaseFromFactory, poolFromUrl } from '../src/db/database.js';
import { deployMigrations } from '../src/db/migrations.js';
import { schema } from '../src/graphql/schema.js';
import { uuidV7 } from '../src/lib/uuid-v7.js';
import { createLogger } from '../src/log/logger.js';
import { issueApiKey } from '../src/modules/api-key/api-key.service.js';
import { createController } from '../src/modules/controller/controller.service.js';
import { notificationItemSchema } from '../src/modules/notification/notification.validation.js';
import { isCleanNotificationItem } from '../src/modules/notification/notification-check.js';
import { notificationHash } from '../src/modules/notification/record-hash.js';
import { SubjectRefHasher } from '../src/modules/subject/subject-ref.js';
import { startServer } from '../src/server.js';
import { cpuSince, describeCpu, describeWal, readCpu, readWal } from './cpu-usage.js';

const env = process.env;
const serverUrl = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const rows = Number(env.BENCH_ROWS ?? 1_000_000);
const batchSize = Number(env.BENCH_BATCH ?? 5_000);
const itemRows = Number(env.BENCH_ITEM_ROWS ?? 200_000);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 2);
const proofRows = Number(env.BENCH_PROOF_ROWS ?? 10_000_000);
const proofBudgetMs = Number(env.BENCH_PROOF_BUDGET_S ?? 480) * 1000;
const proofChunk = 1_000_000;
const proofIterations = Number(env.BENCH_PROOF_ITERATIONS ?? 200);
const figuresIterations = Number(env.BENCH_FIGURES_ITERATIONS ?? 50);
const pgliteRows = Number(env.BENCH_PGLITE_ROWS ?? 200_000);
const profileBatches = Number(env.BENCH_PROFILE_BATCHES ?? 11);
const pgliteConcurrency = Number(env.BENCH_PGLITE_CONCURRENCY ?? 1);
const steps = new Set((env.BENCH_STEPS ?? 'ingest,figures,copy,proof,pglite').split(','));
const subjectRefSecret = 'notarium-bench-subject-ref-secret-0123456789abcdef';
const noticeKey = 'privacy-policy';
const countries = ['DE', 'FR', 'AT', 'NL'] as const;
const day = 86_400_000;

const started = performance.now();
const clock = () =>
  `${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s, load ${loadavg()[0]!.toFixed(1).padStart(4)}`;
const log = (text: string) => console.log(`[${clock()}] ${text}`);
const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

// ---------------------------------------------------------------------------------------------
// SQL time per statement, measured at the driver adapter (what Prisma hands to `pg`).

class SqlClock {
  readonly byStatement = new Map<string, { count: number; ms: number }>();
  recording = false;

  private add(label: string, ms: number) {
    if (!this.recording) return;
    const entry = this.byStatement.get(label) ?? { count: 0, ms: 0 };
    entry.count += 1;
    entry.ms += ms;
    this.byStatement.set(label, entry);
  }

  reset() {
    this.byStatement.clear();
  }

  totalStatements(): number {
    return [...this.byStatement.values()].reduce((sum, entry) => sum + entry.count, 0);
  }

  private timed<T>(label: string, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    return run().finally(() => this.add(label, performance.now() - t0));
  }

  wrap(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
    const timeQueries = <Q extends SqlDriverAdapter | Transaction>(target: Q): Q =>
      new Proxy(target, {
        get: (object, property, receiver) => {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          if (property === 'queryRaw' || property === 'executeRaw') {
            return (query: SqlQuery) =>
              this.timed(statementLabel(query.sql), () => value.call(object, query));
          }
          if (property === 'startTransaction') {
            return async (...args: unknown[]) =>
              timeQueries(
                await this.timed(
                  'pool checkout + BEGIN',
                  () => value.apply(object, args) as Promise<Transaction>,
                ),
              );
          }
          return value.bind(object);
        },
      });
    return new Proxy(factory, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (property === 'connect' && typeof value === 'function') {
          return async () => timeQueries(await value.call(object));
        }
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
  }
}

function statementLabel(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  const keyword = /^(BEGIN|COMMIT|ROLLBACK)\b/i.exec(text);
  if (keyword) return keyword[1]!.toUpperCase();
  const insert = /^INSERT INTO (?:"?\w+"?\.)?"?(\w+)"?/i.exec(text);
  if (insert) {
    if (insert[1] === 'CampaignCounter')
      return `INSERT CampaignCounter (${/'RECORDED'/.test(text) ? 'RECORDED' : 'milestones'})`;
    return `INSERT ${insert[1]}`;
  }
  if (/pg_advisory_xact_lock/.test(text))
    return /audit/.test(text) ? 'advisory lock (audit chain)' : 'advisory lock (milestone counting)';
  const update = /^UPDATE (?:"?\w+"?\.)?"?(\w+)"?/i.exec(text);
  if (update) return `UPDATE ${update[1]}`;
  const from = /FROM "?(?:\w+"?\.)?"?(\w+)"?/i.exec(text);
  return `SELECT ${from?.[1] ?? text.slice(0, 40)}`;
}

// ---------------------------------------------------------------------------------------------
// GraphQL documents.

const recordDocument = `mutation Record($input: RecordNotificationsInput!) {
  recordNotifications(input: $input) {
    __typename
    ... on RecordNotificationsPayload { accepted duplicates rejected }
    ... on Error { code message }
  }
}`;

const proofDocument = `query Proof($ref: String!, $noticeKey: String!, $version: Int!) {
  subject(ref: $ref) {
    notificationProof(noticeKey: $noticeKey, version: $version) {
      __typename
      ... on NotificationProof {
        reached firstReachedAt daysBeforeEffective
        notifications { notification { id channel } events { type occurredAt } }
      }
      ... on Error { code message }
    }
  }
}`;

const figuresDocument = `query Figures($id: ID!) {
  campaign(id: $id) {
    figures {
      total { recorded sent delivered bouncedOrFailed opened acknowledged objected }
      byChannel { channel totals { recorded sent delivered bouncedOrFailed opened acknowledged } }
      byCountry { country totals { recorded sent delivered bouncedOrFailed opened acknowledged } }
      byDay { day totals { recorded sent delivered bouncedOrFailed opened acknowledged } }
    }
  }
}`;

const hasCampaigns = Boolean(schema.getMutationType()?.getFields().createCampaign);

/** Something with a JSON body, as fetch's Response has. */
interface Reply {
  json(): Promise<unknown>;
}
type Send = (key: string, body: string) => Promise<Reply>;
type Call = (
  key: string,
  query: string,
  variables?: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

function caller(send: Send): Call {
  return async (key, query, variables = {}) => {
    const response = await send(key, JSON.stringify({ query, variables }));
    const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
}

/**
 * POST /graphql with node:http and kept-alive sockets. The load generator shares the machine (and
 * this process) with the server, so it is kept lighter than fetch.
 */
function httpSender(url: string): Send {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const target = new URL('/graphql', url);
  return (key, body) =>
    new Promise<Reply>((resolve, reject) => {
      const payload = Buffer.from(body);
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': payload.length,
            authorization: `Bearer ${key}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ json: async () => JSON.parse(text) as unknown });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

interface Keys {
  controllerId: string;
  notifier: string;
  editor: string;
  auditor: string;
}

async function createKeys(database: Database): Promise<Keys> {
  const controller = await createController(database.prisma, {
    slug: 'bench',
    name: 'Bench',
    legalName: 'Bench Ltd',
    contactEmail: 'b@bench.example',
  });
  const key = async (role: 'NOTIFIER' | 'EDITOR' | 'AUDITOR') =>
    (await issueApiKey(database.prisma, controller.id, { name: role.toLowerCase(), role })).secret;
  return {
    controllerId: controller.id,
    notifier: await key('NOTIFIER'),
    editor: await key('EDITOR'),
    auditor: await key('AUDITOR'),
  };
}

/** Purpose, notice, published version 1 (effective now), and a campaign when the module exists. */
async function seedNotice(call: Call, keys: Keys, plannedSize: number): Promise<string | null> {
  await call(keys.editor, 'mutation($i: CreatePurposeInput!) { createPurpose(input: $i) { __typename } }', {
    i: {
      key: 'service',
      content: {
        name: 'Service',
        description: 'Providing the service.',
        legalBasis: 'CONTRACT',
        dataCategories: ['contact data'],
        dataSubjectCategories: ['customers'],
        recipients: ['hosting provider'],
        retentionPeriodDays: 365,
      },
    },
  });
  await call(
    keys.editor,
    `mutation { createNotice(input: { key: "${noticeKey}", title: "Privacy", defaultLocale: "en", requiredLocales: ["de"] }) { __typename } }`,
  );
  return seedVersion(call, keys, 1, plannedSize);
}

/** Publishes the notice's next version (effective now) and, when the module exists, its campaign. */
async function seedVersion(
  call: Call,
  keys: Keys,
  versionNumber: number,
  plannedSize: number,
): Promise<string | null> {
  const draft = (await call(
    keys.editor,
    'mutation($i: CreateNoticeDraftInput!) { createNoticeDraft(input: $i) { __typename ... on NoticeVersionPayload { version { id } } ... on Error { code message } } }',
    {
      i: {
        noticeKey,
        purposeKeys: ['service'],
        translations: [
          {
            locale: 'en',
            title: 'Privacy',
            body: `# Privacy\n\nWe process your data (v${versionNumber}).\n`,
          },
          {
            locale: 'de',
            title: 'Datenschutz',
            body: `# Datenschutz\n\nWir verarbeiten Ihre Daten (v${versionNumber}).\n`,
          },
        ],
        changeSummary: versionNumber === 1 ? 'Initial version' : `Version ${versionNumber}`,
        effectiveFrom: new Date().toISOString(),
      },
    },
  )) as { createNoticeDraft: { __typename: string; version?: { id: string } } };
  if (!draft.createNoticeDraft.version) throw new Error(JSON.stringify(draft));
  const published = (await call(
    keys.editor,
    'mutation($i: PublishNoticeVersionInput!) { publishNoticeVersion(input: $i) { __typename ... on Error { code message } } }',
    {
      i: {
        id: draft.createNoticeDraft.version.id,
        changeMessage: 'bench',
        leadTimeOverrideReason: 'benchmark version, effective at once',
      },
    },
  )) as { publishNoticeVersion: { __typename: string } };
  if (published.publishNoticeVersion.__typename !== 'NoticeVersionPayload')
    throw new Error(JSON.stringify(published));
  if (!hasCampaigns) return null;
  const campaign = (await call(
    keys.notifier,
    'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { __typename ... on CampaignPayload { campaign { id } } ... on Error { code message } } }',
    {
      i: {
        name: `bench v${versionNumber}`,
        noticeKey,
        versionNumber,
        channels: ['EMAIL', 'IN_APP'],
        audienceDescription: 'All customers (benchmark)',
        plannedSize: Math.max(1, plannedSize),
      },
    },
  )) as { createCampaign: { __typename: string; campaign?: { id: string } } };
  if (!campaign.createCampaign.campaign) throw new Error(JSON.stringify(campaign));
  return campaign.createCampaign.campaign.id;
}

/** Row `index` of a notice version's rollout: the same person at the same index in every version. */
function item(index: number, campaignId: string | null, base: number, versionNumber = 1) {
  return {
    subjectRef: `user-${index}`,
    jurisdiction: countries[index % countries.length],
    subjectLocale: index % 2 === 0 ? 'en' : 'de',
    noticeKey,
    versionNumber,
    channel: index % 3 === 0 ? 'IN_APP' : 'EMAIL',
    locale: index % 2 === 0 ? 'en' : 'de',
    occurredAt: new Date(base - (index % 5) * day - (index % 1000) * 1000).toISOString(),
    campaignId,
    senderMessageId: `msg-${versionNumber}-${index}`,
    idempotencyKey: versionNumber === 1 ? `n-${index}` : `n${versionNumber}-${index}`,
  };
}

const columnsDocument = `mutation RecordColumns($input: RecordNotificationColumnsInput!) {
  recordNotificationColumns(input: $input) {
    __typename
    ... on RecordNotificationsPayload { accepted duplicates rejected }
    ... on Error { code message }
  }
}`;

/** `items`: recordNotifications with one input object per row; `columns`: recordNotificationColumns. */
type InputForm = 'items' | 'columns';

function columnsInput(items: ReturnType<typeof item>[], campaignId: string | null) {
  return {
    noticeKey,
    versionNumber: items[0]!.versionNumber,
    campaignId,
    subjectRefs: items.map((entry) => entry.subjectRef),
    idempotencyKeys: items.map((entry) => entry.idempotencyKey),
    channels: items.map((entry) => entry.channel),
    locales: items.map((entry) => entry.locale),
    occurredAt: items.map((entry) => entry.occurredAt),
    jurisdictions: items.map((entry) => entry.jurisdiction),
    subjectLocales: items.map((entry) => entry.subjectLocale),
    senderMessageIds: items.map((entry) => entry.senderMessageId),
  };
}

function batchBodies(
  total: number,
  campaignId: string | null,
  first = 0,
  form: InputForm = 'columns',
  versionNumber = 1,
): string[] {
  const base = Date.now() - 60_000;
  const bodies: string[] = [];
  for (let from = first; from < first + total; from += batchSize) {
    const items = [];
    for (let index = from; index < Math.min(first + total, from + batchSize); index++)
      items.push(item(index, campaignId, base, versionNumber));
    bodies.push(
      form === 'items'
        ? JSON.stringify({ query: recordDocument, variables: { input: { items } } })
        : JSON.stringify({ query: columnsDocument, variables: { input: columnsInput(items, campaignId) } }),
    );
  }
  return bodies;
}

interface IngestResult {
  rows: number;
  seconds: number;
  rate: number;
  latencies: number[];
  accepted: number;
  duplicates: number;
  rejected: number;
}

/** Sends the prepared batches with `inFlight` requests at a time; prints progress every ~10 %. */
async function ingest(
  send: Send,
  key: string,
  bodies: string[],
  total: number,
  inFlight: number,
  progress = true,
) {
  let next = 0;
  let done = 0;
  const result: IngestResult = {
    rows: total,
    seconds: 0,
    rate: 0,
    latencies: [],
    accepted: 0,
    duplicates: 0,
    rejected: 0,
  };
  const every = Math.max(1, Math.round(bodies.length / 10));
  const t0 = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const s = performance.now();
      const response = await send(key, body);
      const json = (await response.json()) as {
        data?: Record<
          string,
          { __typename: string; accepted?: number; duplicates?: number; rejected?: number; message?: string }
        >;
        errors?: unknown;
      };
      result.latencies.push(performance.now() - s);
      const payload = json.data ? Object.values(json.data)[0] : undefined;
      if (json.errors || payload?.__typename !== 'RecordNotificationsPayload')
        throw new Error(`batch failed: ${JSON.stringify(json.errors ?? payload).slice(0, 500)}`);
      result.accepted += payload.accepted!;
      result.duplicates += payload.duplicates!;
      result.rejected += payload.rejected!;
      done += 1;
      if (progress && (done % every === 0 || done === bodies.length)) {
        const seconds = (performance.now() - t0) / 1000;
        log(
          `  ${fmt(Math.min(total, done * batchSize))} / ${fmt(total)} rows, ${fmt((done * batchSize) / seconds)} rows/s`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  result.seconds = (performance.now() - t0) / 1000;
  result.rate = total / result.seconds;
  result.latencies.sort((a, b) => a - b);
  return result;
}

/** Mean time per request spent awaiting each statement at the driver adapter; returns the sum. */
function printSqlBreakdown(title: string, sqlClock: SqlClock, requests: number): number {
  const entries = [...sqlClock.byStatement.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = entries.reduce((sum, [, entry]) => sum + entry.ms, 0);
  console.log(`  ${title}`);
  for (const [label, entry] of entries)
    console.log(
      `    ${label.padEnd(44)} ${(entry.ms / requests).toFixed(2).padStart(9)} ms  (${(entry.count / requests).toFixed(1)} stmt)`,
    );
  console.log(`    ${'total'.padEnd(44)} ${(total / requests).toFixed(2).padStart(9)} ms`);
  return total / requests;
}

/** CPU cost of the per-item steps for one batch, each in isolation (no database), median of 5. */
function printCpuBreakdown(body: string, controllerId: string) {
  const document = parse(recordDocument);
  const operation = document.definitions[0] as OperationDefinitionNode;
  const measure = (run: () => void) => {
    const times: number[] = [];
    for (let repeat = 0; repeat < 5; repeat++) {
      const t0 = performance.now();
      run();
      times.push(performance.now() - t0);
    }
    return median(times);
  };
  const raw = JSON.parse(body) as { variables: Record<string, unknown> };
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], raw.variables);
  if ('errors' in coerced && coerced.errors) throw new Error(String(coerced.errors[0]));
  const items = (coerced.coerced as { input: { items: Record<string, unknown>[] } }).input.items;
  const zodSchema = notificationItemSchema(new Date());
  const hasher = new SubjectRefHasher(subjectRefSecret);
  const rowsIn = items.length;
  const lines: [string, number][] = [
    ['JSON.parse of the request body', measure(() => JSON.parse(body))],
    ['GraphQL parse + validate of the document', measure(() => validate(schema, parse(recordDocument)))],
    [
      'GraphQL variable coercion (input objects, DateTime)',
      measure(() => getVariableValues(schema, operation.variableDefinitions ?? [], raw.variables)),
    ],
    [
      'item check on the hot path (isCleanNotificationItem)',
      measure(() => {
        const now = new Date();
        for (const entry of items) isCleanNotificationItem(entry, now);
      }),
    ],
    [
      'zod item schema (only for items the check refuses)',
      measure(() => {
        for (const entry of items) zodSchema.safeParse(entry);
      }),
    ],
    [
      'HMAC-SHA-256 of the subject reference',
      measure(() => {
        for (const entry of items) hasher.hash(controllerId, entry.subjectRef as string);
      }),
    ],
    [
      'content hash (notificationHash: fixed-field canonical JSON + SHA-256)',
      measure(() => {
        for (const entry of items)
          notificationHash({
            subject: entry.subjectRef as string,
            version: controllerId,
            channel: entry.channel as string,
            locale: entry.locale as string,
            occurredAt: (entry.occurredAt as Date).toISOString(),
            campaign: null,
            senderMessageId: entry.senderMessageId as string,
          });
      }),
    ],
  ];
  console.log(`  CPU per batch of ${fmt(rowsIn)} items, each step alone (median of 5, no database):`);
  for (const [label, ms] of lines)
    console.log(
      `    ${label.padEnd(52)} ${ms.toFixed(1).padStart(7)} ms  (${((ms * 1000) / rowsIn).toFixed(1)} µs/item)`,
    );
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

/**
 * A NotificationBatch row for synthetic notifications: a copy of an existing one under a new ID,
 * whatever the table's columns are by now.
 */
async function cloneBatch(client: pg.Pool | pg.PoolClient): Promise<string> {
  const { rows: cloned } = await client.query(
    `INSERT INTO "NotificationBatch"
     SELECT (jsonb_populate_record(NULL::"NotificationBatch", to_jsonb(b) || jsonb_build_object('id', gen_random_uuid()))).*
     FROM (SELECT * FROM "NotificationBatch" LIMIT 1) b
     RETURNING "id"::text`,
  );
  if (cloned.length === 0) throw new Error('no NotificationBatch to copy yet');
  return (cloned[0] as { id: string }).id;
}

interface PgContext {
  name: string;
  url: string;
  admin: pg.Pool;
  direct: pg.Pool;
  files: string[];
}

const notificationColumns = `"id", "controllerId", "subjectId", "versionId", "channel", "locale", "occurredAt",
  "campaignId", "senderMessageId", "idempotencyKey", "contentHash", "jurisdiction", "batchId"`;

/** Writes `count` Notification rows (and, if `newSubjects`, as many Subject rows) as CSV files. */
async function writeCsv(
  context: PgContext,
  first: number,
  count: number,
  ids: { controllerId: string; versionId: string; campaignId: string | null; batchIds: string[] },
  subjectIds: string[] | null,
): Promise<{ notifications: string; subjects: string | null }> {
  const tag = randomBytes(4).toString('hex');
  const notificationsFile = join(tmpdir(), `notarium-bench-notifications-${tag}.csv`);
  const subjectsFile = subjectIds ? null : join(tmpdir(), `notarium-bench-subjects-${tag}.csv`);
  context.files.push(notificationsFile, ...(subjectsFile ? [subjectsFile] : []));
  const notifications = await open(notificationsFile, 'w');
  const subjects = subjectsFile ? await open(subjectsFile, 'w') : null;
  const base = Date.now() - 60_000;
  try {
    for (let from = first; from < first + count; from += 20_000) {
      let text = '';
      let subjectText = '';
      for (let index = from; index < Math.min(first + count, from + 20_000); index++) {
        const entry = item(index, null, base);
        let subjectId = subjectIds?.[index];
        if (!subjectId) {
          subjectId = uuidV7();
          subjectText += `${subjectId},${ids.controllerId},${randomBytes(32).toString('base64url')},${entry.jurisdiction},${entry.subjectLocale}\n`;
        }
        const hash = createHash('sha256').update(`${subjectId}|${entry.idempotencyKey}|${entry.occurredAt}`);
        text += `${uuidV7()},${ids.controllerId},${subjectId},${ids.versionId},${entry.channel},${entry.locale},${entry.occurredAt},${ids.campaignId ?? ''},${entry.senderMessageId},c-${tag}-${index},${hash.digest('hex')},${entry.jurisdiction},${ids.batchIds[Math.floor(index / batchSize) % ids.batchIds.length]}\n`;
      }
      await notifications.write(text);
      if (subjects) await subjects.write(subjectText);
    }
  } finally {
    await notifications.close();
    await subjects?.close();
  }
  // The server process (user postgres) reads the files.
  await chmod(notificationsFile, 0o644);
  if (subjectsFile) await chmod(subjectsFile, 0o644);
  return { notifications: notificationsFile, subjects: subjectsFile };
}

/** The COPY reference's rows as CSV chunks, one per round, written before anything is timed. */
interface CopyPlan {
  /** Notifications whose subjects exist already. */
  readonly existing: string[];
  /** New subjects and their notifications. */
  readonly fresh: { subjects: string; notifications: string }[];
}

async function prepareCopy(context: PgContext, keys: Keys, count: number, chunk: number): Promise<CopyPlan> {
  const direct = context.direct;
  const one = async <T>(sql: string, params: unknown[] = []) =>
    (await direct.query(sql, params)).rows[0] as T;
  const { versionId } = await one<{ versionId: string }>(
    `SELECT "id"::text AS "versionId" FROM "NoticeVersion" WHERE "controllerId" = $1 AND "number" = 1`,
    [keys.controllerId],
  );
  const campaign = await one<{ id: string } | undefined>(
    `SELECT "id"::text FROM "Campaign" ORDER BY "createdAt" LIMIT 1`,
  );
  // One batch row per 5,000 copied rows, as the API makes (the foreign key needs one).
  const batchIds = (
    await direct.query(
      `INSERT INTO "NotificationBatch" ("id", "controllerId", "itemCount", "itemsHash")
       SELECT gen_random_uuid(), $1::uuid, $2::int, 'copy-reference' FROM generate_series(1, $3::int)
       RETURNING "id"::text`,
      [keys.controllerId, batchSize, Math.ceil(count / batchSize)],
    )
  ).rows.map((row: { id: string }) => row.id);
  const ids = { controllerId: keys.controllerId, versionId, campaignId: campaign?.id ?? null, batchIds };
  // Subjects for the "existing" rows: time-ordered IDs, as the API gives its own.
  log(`COPY reference: ${fmt(count)} subjects for the existing-subject rows (not timed)`);
  const subjectIds = Array.from({ length: count }, () => uuidV7());
  const subjectsFile = join(tmpdir(), `notarium-bench-copy-subjects-${randomBytes(4).toString('hex')}.csv`);
  context.files.push(subjectsFile);
  const handle = await open(subjectsFile, 'w');
  for (let from = 0; from < count; from += 50_000) {
    let text = '';
    for (let index = from; index < Math.min(count, from + 50_000); index++)
      text += `${subjectIds[index]},${keys.controllerId},copy-${index}\n`;
    await handle.write(text);
  }
  await handle.close();
  await chmod(subjectsFile, 0o644);
  await direct.query(
    `COPY "Subject" ("id", "controllerId", "refHash") FROM '${subjectsFile}' WITH (FORMAT csv)`,
  );
  await unlink(subjectsFile);
  log(`COPY reference: writing ${fmt(count)} rows twice as CSV, in chunks of ${fmt(chunk)} (not timed)`);
  const plan: { existing: string[]; fresh: { subjects: string; notifications: string }[] } = {
    existing: [],
    fresh: [],
  };
  for (let first = 0; first < count; first += chunk) {
    const size = Math.min(chunk, count - first);
    plan.existing.push((await writeCsv(context, first, size, ids, subjectIds)).notifications);
    const fresh = await writeCsv(context, first, size, ids, null);
    plan.fresh.push({ subjects: fresh.subjects!, notifications: fresh.notifications });
  }
  await direct.query('CHECKPOINT');
  return plan;
}

/** COPY of notifications whose subjects exist. */
async function copyExisting(direct: pg.Pool, file: string): Promise<void> {
  await direct.query(`COPY "Notification" (${notificationColumns}) FROM '${file}' WITH (FORMAT csv)`);
  await unlink(file);
}

/** COPY of new subjects, then of their notifications, in one transaction. */
async function copyFresh(direct: pg.Pool, files: { subjects: string; notifications: string }): Promise<void> {
  const client = await direct.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `COPY "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale") FROM '${files.subjects}' WITH (FORMAT csv)`,
    );
    await client.query(
      `COPY "Notification" (${notificationColumns}) FROM '${files.notifications}' WITH (FORMAT csv)`,
    );
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  await unlink(files.subjects);
  await unlink(files.notifications);
}

interface PhaseTotal {
  rows: number;
  seconds: number;
  node: number;
  postgres: number;
  wal: { bytes: number; records: number; fullPages: number };
}

/**
 * The API against COPY, interleaved: BENCH_ROUNDS rounds (default 4), each recording a quarter of
 * the rows through the API and copying as many equivalent rows, in alternating order, into the
 * same table (its indexes grow alike for both). On a shared machine whose speed drifts, both sides
 * see the same conditions; each round's ratio is printed as well as the totals.
 */
async function ingestVersusCopy(
  context: PgContext,
  keys: Keys,
  send: Send,
  call: Call,
  campaignId: string | null,
  sqlClock: SqlClock,
): Promise<void> {
  const rounds = Math.max(1, Number(env.BENCH_ROUNDS ?? 4));
  const chunk = Math.ceil(rows / rounds / batchSize) * batchSize;
  const plan = await prepareCopy(context, keys, rows, chunk);
  const bodies = batchBodies(rows, campaignId, 0, 'columns');
  // The next version of the notice to the same people: their subjects exist by then.
  const nextCampaignId = await seedVersion(call, keys, 2, rows);
  const knownBodies = batchBodies(rows, nextCampaignId, 0, 'columns', 2);
  log(
    `${fmt(rows)} rows through recordNotificationColumns (POST /graphql, ${fmt(batchSize)} per request, ` +
      `${(Buffer.byteLength(bodies[0]!) / 1e6).toFixed(2)} MB, ${concurrency} in flight) against COPY, ${rounds} rounds`,
  );
  const empty = (): PhaseTotal => ({
    rows: 0,
    seconds: 0,
    node: 0,
    postgres: 0,
    wal: { bytes: 0, records: 0, fullPages: 0 },
  });
  const totals = { api: empty(), known: empty(), copy: empty(), fresh: empty() };
  const latencies: number[] = [];
  const direct = context.direct;
  const timed = async (total: PhaseTotal, count: number, run: () => Promise<void>) => {
    const wal = await readWal((sql) => direct.query(sql));
    const cpu = readCpu();
    const t0 = performance.now();
    await run();
    const seconds = (performance.now() - t0) / 1000;
    const used = cpuSince(cpu);
    const walEnd = await readWal((sql) => direct.query(sql));
    total.rows += count;
    total.seconds += seconds;
    total.node += used.node;
    total.postgres += used.postgres;
    if (wal && walEnd) {
      total.wal.bytes += walEnd.bytes - wal.bytes;
      total.wal.records += walEnd.records - wal.records;
      total.wal.fullPages += walEnd.fullPages - wal.fullPages;
    }
    return count / seconds;
  };
  sqlClock.reset();
  for (let round = 0; round < rounds; round++) {
    const first = round * chunk;
    const count = Math.min(chunk, rows - first);
    if (count <= 0) break;
    const slice = (all: string[]) => all.slice(first / batchSize, (first + count) / batchSize);
    const api = (roundBodies: string[]) => async () => {
      sqlClock.recording = true;
      const result = await ingest(send, keys.notifier, roundBodies, count, concurrency, false);
      sqlClock.recording = false;
      latencies.push(...result.latencies);
      if (result.accepted !== count) throw new Error(`round ${round + 1}: ${result.accepted} accepted`);
    };
    const rates: Record<string, number> = {};
    const apiPhases: [keyof typeof totals, () => Promise<void>][] = [
      ['api', api(slice(bodies))],
      ['known', api(slice(knownBodies))],
    ];
    const copyPhases: [keyof typeof totals, () => Promise<void>][] = [
      ['fresh', () => copyFresh(direct, plan.fresh[round]!)],
      ['copy', () => copyExisting(direct, plan.existing[round]!)],
    ];
    // API first in even rounds, COPY first in odd ones (new people always before known ones).
    for (const [name, run] of round % 2 === 0 ? [...apiPhases, ...copyPhases] : [...copyPhases, ...apiPhases])
      rates[name] = await timed(totals[name], count, run);
    const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)} %`;
    log(
      `  round ${round + 1}/${rounds}: new people: API ${fmt(rates.api!)} vs COPY ${fmt(rates.fresh!)} rows/s ` +
        `(${pct(rates.api!, rates.fresh!)}); known people: API ${fmt(rates.known!)} vs COPY ${fmt(rates.copy!)} ` +
        `rows/s (${pct(rates.known!, rates.copy!)})`,
    );
  }
  bodies.length = 0;
  knownBodies.length = 0;
  const rate = (total: PhaseTotal) => total.rows / total.seconds;
  const describe = (total: PhaseTotal) =>
    `${describeCpu({ node: total.node, postgres: total.postgres, wall: total.seconds }, total.rows)}; ` +
    describeWal({ bytes: 0, records: 0, fullPages: 0 }, total.wal, total.rows);
  latencies.sort((a, b) => a - b);
  console.log('');
  const pct = (a: PhaseTotal, b: PhaseTotal) => `${((rate(a) / rate(b)) * 100).toFixed(1)} %`;
  console.log('== ingest through the API against COPY (PostgreSQL, interleaved rounds) ==');
  console.log(
    `API, new people (subjects created):   ${fmt(rate(totals.api))} rows/s ` +
      `(${fmt(totals.api.rows)} rows in ${totals.api.seconds.toFixed(1)} s)`,
  );
  console.log(`  ${describe(totals.api)}`);
  console.log(
    `API, known people (next version):     ${fmt(rate(totals.known))} rows/s ` +
      `(${fmt(totals.known.rows)} rows in ${totals.known.seconds.toFixed(1)} s)`,
  );
  console.log(`  ${describe(totals.known)}`);
  console.log(
    `API request latency (${latencies.length} requests of ${fmt(batchSize)}): p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(0)} ms`,
  );
  console.log(`COPY "Subject" + "Notification":       ${fmt(rate(totals.fresh))} rows/s`);
  console.log(`  ${describe(totals.fresh)}`);
  console.log(`COPY "Notification" (subjects exist):  ${fmt(rate(totals.copy))} rows/s`);
  console.log(`  ${describe(totals.copy)}`);
  console.log(`API / COPY, new people:   ${pct(totals.api, totals.fresh)} (target ≥ 50 %)`);
  console.log(`API / COPY, known people: ${pct(totals.known, totals.copy)} (target ≥ 50 %)`);
  console.log(
    `API, new people / COPY of notifications alone: ${pct(totals.api, totals.copy)} (the API also creates the subjects)`,
  );
  printSqlBreakdown(
    `SQL per API request at ${concurrency} in flight (driver adapter; includes waits for the event loop and locks):`,
    sqlClock,
    (2 * rows) / batchSize,
  );
  console.log('');
}

async function campaignFiguresBench(
  call: Call,
  keys: Keys,
  campaignId: string | null,
  context: PgContext,
  sqlClock: SqlClock,
) {
  console.log('== campaign live figures ==');
  const counters = await context.direct.query(
    `SELECT count(*)::int AS rows, coalesce(sum("count") FILTER (WHERE "metric" = 'RECORDED'), 0)::bigint AS recorded
     FROM "CampaignCounter"`,
  );
  const { rows: counterRows, recorded } = counters.rows[0] as { rows: number; recorded: string };
  console.log(`CampaignCounter rows: ${fmt(counterRows)}, RECORDED total: ${fmt(Number(recorded))}`);
  const times: number[] = [];
  if (campaignId !== null) {
    const first = (await call(keys.auditor, figuresDocument, { id: campaignId })) as {
      campaign: { figures: { total: { recorded: number }; byDay: unknown[]; byCountry: unknown[] } };
    };
    console.log(
      `figures through the API: total.recorded ${fmt(first.campaign.figures.total.recorded)}, ` +
        `${first.campaign.figures.byCountry.length} countries, ${first.campaign.figures.byDay.length} days`,
    );
    sqlClock.reset();
    sqlClock.recording = true;
    for (let index = 0; index < figuresIterations; index++) {
      const t0 = performance.now();
      await call(keys.auditor, figuresDocument, { id: campaignId });
      times.push(performance.now() - t0);
    }
    sqlClock.recording = false;
    times.sort((a, b) => a - b);
    console.log(
      `campaign(id) { figures { total byChannel byCountry byDay } } over HTTP, ${figuresIterations} runs: ` +
        `p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms`,
    );
    printSqlBreakdown('SQL per request (driver adapter):', sqlClock, figuresIterations);
  }
  const { id } = (await context.direct.query(`SELECT "id"::text FROM "Campaign" LIMIT 1`)).rows[0] ?? {
    id: null,
  };
  if (id) {
    const sqlTimes: number[] = [];
    for (let index = 0; index < figuresIterations + 1; index++) {
      const t0 = performance.now();
      await context.direct.query(
        `SELECT "metric", "channel", "country", "day", "count" FROM "CampaignCounter" WHERE "campaignId" = $1`,
        [id],
      );
      if (index > 0) sqlTimes.push(performance.now() - t0);
    }
    sqlTimes.sort((a, b) => a - b);
    console.log(
      `counter SQL alone (pg, ${figuresIterations} runs): p50 ${percentile(sqlTimes, 50).toFixed(2)} ms`,
    );
  }
  console.log('');
}

async function proofBench(call: Call, keys: Keys, context: PgContext, sqlClock: SqlClock) {
  const direct = context.direct;
  console.log('== proof latency ==');
  const { versionId } = (
    await direct.query(`SELECT "id"::text AS "versionId" FROM "NoticeVersion" WHERE "number" = 1 LIMIT 1`)
  ).rows[0] as { versionId: string };
  const count = async () =>
    Number((await direct.query(`SELECT count(*)::bigint AS n FROM "Notification"`)).rows[0].n);
  let present = await count();
  if ((await direct.query(`SELECT 1 FROM "NotificationBatch" LIMIT 1`)).rowCount === 0) {
    // The generated rows copy an existing batch row: make one.
    await call(keys.notifier, recordDocument, {
      input: { items: [{ ...item(0, null, Date.now()), subjectRef: 'warm-up', idempotencyKey: 'warm-up' }] },
    });
  }
  const secondaryIndexes = async () =>
    (
      await direct.query(
        `SELECT i.tablename, i.indexname, i.indexdef, c.conname, pg_get_constraintdef(c.oid) AS condef,
                EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = x.oid) AS "referenced"
         FROM pg_indexes i
         JOIN pg_class x ON x.relname = i.indexname AND x.relnamespace = current_schema()::regnamespace
         LEFT JOIN pg_constraint c ON c.conindid = x.oid AND c.contype IN ('p', 'u')
         WHERE i.schemaname = current_schema() AND i.tablename IN ('Notification', 'Subject')
         ORDER BY i.indexname`,
      )
    ).rows as {
      tablename: string;
      indexname: string;
      indexdef: string;
      conname: string | null;
      condef: string | null;
      referenced: boolean;
    }[];
  const before = await secondaryIndexes();
  log(
    `generating notifications with INSERT … SELECT FROM generate_series: ${fmt(present)} present, target ${fmt(proofRows)}`,
  );
  // Bulk-load practice: drop the indexes that no foreign key needs, load in chunks with the
  // per-row FK triggers off (superuser; the rows are synthetic and consistent by construction),
  // then rebuild the indexes from their saved definitions. The Subject primary key stays (FKs
  // point at it). The table ends up with exactly the indexes the migrations create.
  const rebuilt = before.filter((index) => !index.referenced);
  for (const index of rebuilt) {
    if (index.conname)
      await direct.query(`ALTER TABLE "${index.tablename}" DROP CONSTRAINT "${index.conname}"`);
    else await direct.query(`DROP INDEX "${index.indexname}"`);
  }
  const t0 = performance.now();
  let offset = 0;
  let lastChunkMs = 0;
  while (present < proofRows) {
    const elapsed = performance.now() - t0;
    // Rebuilding the indexes takes about a third of the loading time: keep room for it.
    if (elapsed * 1.35 + lastChunkMs > proofBudgetMs) {
      log(`  generation budget (${proofBudgetMs / 1000} s) reached: stopping at ${fmt(present)} rows`);
      break;
    }
    const size = Math.min(proofChunk, proofRows - present);
    const c0 = performance.now();
    const client = await direct.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL session_replication_role = replica`);
      const batch = await cloneBatch(client);
      // Two notifications per subject (EMAIL and IN_APP); subject IDs derived from the number.
      await client.query(
        `INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale")
         SELECT md5('gen-subject-' || s)::uuid, $1, encode(sha256(('gen-subject-' || s)::bytea), 'base64'),
                (ARRAY['DE','FR','AT','NL'])[1 + s % 4], CASE WHEN s % 2 = 0 THEN 'en' ELSE 'de' END
         FROM generate_series($2::bigint, $3::bigint) s`,
        [keys.controllerId, Math.floor(offset / 2), Math.floor((offset + size - 1) / 2)],
      );
      await client.query(
        `INSERT INTO "Notification" (${notificationColumns})
         SELECT gen_random_uuid(), $1, md5('gen-subject-' || (g / 2))::uuid, $2,
                (CASE WHEN g % 2 = 0 THEN 'EMAIL' ELSE 'IN_APP' END)::"NotificationChannel",
                CASE WHEN (g / 2) % 2 = 0 THEN 'en' ELSE 'de' END,
                now() - (g % 30) * interval '1 day' - (g % 86400) * interval '1 second',
                NULL, 'gen-msg-' || g, 'gen-' || g, encode(sha256(('gen-' || g)::bytea), 'hex'),
                (ARRAY['DE','FR','AT','NL'])[1 + (g / 2) % 4], $3
         FROM generate_series($4::bigint, $5::bigint) g`,
        [keys.controllerId, versionId, batch, offset, offset + size - 1],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    offset += size;
    present += size;
    lastChunkMs = performance.now() - c0;
    const seconds = (performance.now() - t0) / 1000;
    log(
      `  ${fmt(present)} / ${fmt(proofRows)} rows (chunk ${fmt(size)} in ${(lastChunkMs / 1000).toFixed(1)} s, ` +
        `${fmt(offset / seconds)} rows/s overall)`,
    );
  }
  const i0 = performance.now();
  const builder = await direct.connect();
  try {
    await builder.query(`SET maintenance_work_mem = '1GB'`);
    for (const index of rebuilt) {
      const s = performance.now();
      if (index.conname)
        await builder.query(
          `ALTER TABLE "${index.tablename}" ADD CONSTRAINT "${index.conname}" ${index.condef}`,
        );
      else await builder.query(index.indexdef);
      log(`  rebuilt ${index.indexname} in ${((performance.now() - s) / 1000).toFixed(1)} s`);
    }
  } finally {
    builder.release();
  }
  const after = await secondaryIndexes();
  const same = JSON.stringify(before) === JSON.stringify(after);
  const indexSeconds = (performance.now() - i0) / 1000;
  const generationSeconds = (performance.now() - t0) / 1000;
  log(
    `  indexes ${same ? 'identical to the migrated ones' : 'DIFFER from the migrated ones'}; VACUUM ANALYZE + CHECKPOINT …`,
  );
  if (!same) console.log(JSON.stringify({ before, after }, null, 2));
  const v0 = performance.now();
  // A settled table: visibility map set, statistics current, no autovacuum or checkpoint mid-measurement.
  await direct.query(`VACUUM ANALYZE "Subject", "Notification", "NotificationEvent"`);
  await direct.query(`CHECKPOINT`);
  log(`  VACUUM ANALYZE + CHECKPOINT in ${((performance.now() - v0) / 1000).toFixed(0)} s`);

  // The measured subject: a few notifications and events through the API.
  const ref = 'proof-subject-1';
  const now = Date.now();
  const notifications = [
    { channel: 'EMAIL', at: now - 10 * day },
    { channel: 'EMAIL', at: now - 9 * day },
    { channel: 'IN_APP', at: now - 8 * day },
    { channel: 'EMAIL', at: now - 2 * day },
  ].map((entry, index) => ({
    subjectRef: ref,
    jurisdiction: 'DE',
    noticeKey,
    versionNumber: 1,
    channel: entry.channel,
    locale: 'de',
    occurredAt: new Date(entry.at).toISOString(),
    senderMessageId: `proof-msg-${index}`,
    idempotencyKey: `proof-${index}`,
  }));
  await call(keys.notifier, recordDocument, { input: { items: notifications } });
  const events = notifications.flatMap((notification, index) =>
    (notification.channel === 'EMAIL'
      ? ['SENT', 'DELIVERED', ...(index === 0 ? ['OPENED'] : [])]
      : ['ACKNOWLEDGED']
    ).map((type, offsetMinutes) => ({
      notificationIdempotencyKey: notification.idempotencyKey,
      type,
      occurredAt: new Date(Date.parse(notification.occurredAt) + (offsetMinutes + 1) * 60_000).toISOString(),
    })),
  );
  await call(
    keys.notifier,
    'mutation($i: RecordNotificationEventsInput!) { recordNotificationEvents(input: $i) { __typename ... on RecordNotificationEventsPayload { accepted } } }',
    { i: { items: events } },
  );
  const total = await count();
  const subjects = Number((await direct.query(`SELECT count(*)::bigint AS n FROM "Subject"`)).rows[0].n);
  const variables = { ref, noticeKey, version: 1 };
  const first = (await call(keys.auditor, proofDocument, variables)) as {
    subject: { notificationProof: { reached: boolean; notifications: unknown[] } } | null;
  };
  if (!first.subject) throw new Error('proof subject not found');
  for (let index = 0; index < 5; index++) await call(keys.auditor, proofDocument, variables);
  sqlClock.reset();
  sqlClock.recording = true;
  await call(keys.auditor, proofDocument, variables);
  sqlClock.recording = false;
  const statements = sqlClock.totalStatements();
  const times: number[] = [];
  sqlClock.reset();
  sqlClock.recording = true;
  for (let index = 0; index < proofIterations; index++) {
    const s = performance.now();
    await call(keys.auditor, proofDocument, variables);
    times.push(performance.now() - s);
  }
  sqlClock.recording = false;
  times.sort((a, b) => a - b);
  console.log(
    `table: ${fmt(total)} notifications, ${fmt(subjects)} subjects (generated ${fmt(offset)} notifications + ` +
      `${fmt(Math.ceil(offset / 2))} subjects in ${generationSeconds.toFixed(0)} s including ${indexSeconds.toFixed(0)} s of index builds)`,
  );
  console.log(
    `proof of subject "${ref}": ${first.subject.notificationProof.notifications.length} notifications, ` +
      `${events.length} events, reached ${first.subject.notificationProof.reached}; ${statements} SQL statements/request`,
  );
  console.log(
    `subject(ref) { notificationProof … } over HTTP, ${proofIterations} requests: p50 ${percentile(times, 50).toFixed(2)} ms, ` +
      `p95 ${percentile(times, 95).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`,
  );
  printSqlBreakdown('SQL per request (driver adapter):', sqlClock, proofIterations);
  console.log('');
}

async function postgresRun(context: PgContext) {
  await context.admin.query(`CREATE DATABASE ${context.name}`);
  const sqlClock = new SqlClock();
  const pool = quiet(poolFromUrl(context.url, 10));
  const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end(), {
    wrapFactory: (factory) => sqlClock.wrap(factory),
  });
  await deployMigrations(database.factory);
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: context.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    MIGRATE_ON_START: 'false',
    SEED_DEMO: 'false',
    SUBJECT_REF_SECRET: subjectRefSecret,
    // Limits other work in progress may add: keep them out of the way of the bench.
    RATE_LIMIT_PER_MINUTE: '1000000',
    BODY_LIMIT_BYTES: String(64 * 1024 * 1024),
  });
  const server = await startServer(config, createLogger('silent'), { database });
  try {
    const send = httpSender(server.url);
    const call = caller(send);
    const keys = await createKeys(database);
    const campaignId = await seedNotice(call, keys, rows);
    log(
      `PostgreSQL database ${context.name}; server ${server.url}; campaign module ${hasCampaigns ? 'present' : 'absent'}`,
    );

    const apiIngest = async (form: InputForm, count: number, first: number) => {
      log(
        `building ${fmt(Math.ceil(count / batchSize))} request bodies of ${fmt(batchSize)} rows (not timed)`,
      );
      const bodies = batchBodies(count, campaignId, first, form);
      const mutation = form === 'items' ? 'recordNotifications (items)' : 'recordNotificationColumns';
      log(
        `recording ${fmt(count)} notifications with ${mutation} through POST /graphql, ${fmt(batchSize)} per ` +
          `request (${(Buffer.byteLength(bodies[0]!) / 1e6).toFixed(2)} MB), ${concurrency} in flight`,
      );
      sqlClock.reset();
      sqlClock.recording = true;
      const walStart = await readWal((sql) => context.direct.query(sql));
      const cpuStart = readCpu();
      const result = await ingest(send, keys.notifier, bodies, count, concurrency);
      const cpu = cpuSince(cpuStart);
      const walEnd = await readWal((sql) => context.direct.query(sql));
      sqlClock.recording = false;
      console.log('');
      console.log(`== ingest through the API: ${mutation} (PostgreSQL) ==`);
      console.log(
        `${fmt(count)} rows in ${result.seconds.toFixed(1)} s = ${fmt(result.rate)} rows/s ` +
          `(accepted ${fmt(result.accepted)}, duplicates ${fmt(result.duplicates)}, rejected ${fmt(result.rejected)})`,
      );
      console.log(
        `request latency (${result.latencies.length} requests): p50 ${percentile(result.latencies, 50).toFixed(0)} ms, ` +
          `p99 ${percentile(result.latencies, 99).toFixed(0)} ms`,
      );
      console.log(describeCpu(cpu, count));
      console.log(describeWal(walStart, walEnd, count));
      printSqlBreakdown(
        `SQL per request at ${concurrency} in flight (driver adapter; includes waits for the event loop and locks):`,
        sqlClock,
        bodies.length,
      );
      console.log('');
    };
    if (steps.has('ingest') && steps.has('copy') && rows > 0)
      await ingestVersusCopy(context, keys, send, call, campaignId, sqlClock);
    else if (steps.has('ingest') && rows > 0) await apiIngest('columns', rows, 0);
    if (steps.has('figures')) await campaignFiguresBench(call, keys, campaignId, context, sqlClock);
    if (steps.has('ingest') && profileBatches > 0) {
      // One request at a time, so that the adapter timings are the database's alone.
      const bodies = batchBodies(profileBatches * batchSize, campaignId, rows);
      log(
        `profile: ${profileBatches} more batches one at a time (rows ${fmt(rows)}…${fmt(rows + profileBatches * batchSize - 1)})`,
      );
      await ingest(send, keys.notifier, bodies.slice(0, 1), batchSize, 1);
      sqlClock.reset();
      sqlClock.recording = true;
      const result = await ingest(send, keys.notifier, bodies.slice(1), (profileBatches - 1) * batchSize, 1);
      sqlClock.recording = false;
      const mean = result.latencies.reduce((sum, value) => sum + value, 0) / result.latencies.length;
      console.log('');
      console.log(
        `== where a ${fmt(batchSize)}-item request spends its time (one in flight, ${profileBatches - 1} requests) ==`,
      );
      console.log(
        `  request latency: mean ${mean.toFixed(0)} ms (${fmt(batchSize / (mean / 1000))} rows/s sequential)`,
      );
      const sql = printSqlBreakdown('SQL per request (driver adapter):', sqlClock, profileBatches - 1);
      console.log(
        `  outside SQL (HTTP, JSON, GraphQL, zod, hashing, Prisma, result): ${(mean - sql).toFixed(0)} ms`,
      );
      printCpuBreakdown(batchBodies(batchSize, campaignId, rows, 'items')[0]!, keys.controllerId);
      console.log('');
    }
    // The per-object form, for comparison, on new subjects after the rows above.
    if (steps.has('ingest') && itemRows > 0)
      await apiIngest('items', itemRows, rows + profileBatches * batchSize);
    if (steps.has('proof')) await proofBench(call, keys, context, sqlClock);
  } finally {
    await server.shutdown();
  }
}

// ---------------------------------------------------------------------------------------------
// PGlite.

async function pgliteRun() {
  log(`PGlite: migrating an in-memory database`);
  const pglite = new PGlite();
  try {
    await deployMigrations(createPgliteAdapterFactory(pglite));
    const database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), async () => {});
    const app = createApp({
      config: { environment: 'production' },
      database,
      logger: createLogger('silent'),
      subjectRefSecret,
    });
    const send: Send = (key, body) =>
      app.fetch(
        new Request('http://bench/graphql', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            authorization: `Bearer ${key}`,
          },
          body,
        }),
      );
    const keys = await createKeys(database);
    const campaignId = await seedNotice(caller(send), keys, pgliteRows);
    const bodies = batchBodies(pgliteRows, campaignId);
    log(
      `PGlite: recording ${fmt(pgliteRows)} notifications through app.fetch, ${fmt(batchSize)} per request, ` +
        `${pgliteConcurrency} in flight`,
    );
    const result = await ingest(send, keys.notifier, bodies, pgliteRows, pgliteConcurrency);
    console.log('');
    console.log('== ingest through the API (PGlite, in-process app.fetch) ==');
    console.log(
      `${fmt(pgliteRows)} rows in ${result.seconds.toFixed(1)} s = ${fmt(result.rate)} rows/s ` +
        `(accepted ${fmt(result.accepted)}, rejected ${fmt(result.rejected)}); ` +
        `request p50 ${percentile(result.latencies, 50).toFixed(0)} ms`,
    );
    console.log('');
    await database.close();
  } finally {
    await pglite.close().catch(() => {});
  }
}

/**
 * `DROP DATABASE … WITH (FORCE)` terminates connections that are still closing; an idle pooled
 * client reports that as an 'error' event, which must not crash the teardown.
 */
function quiet(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  return pool;
}

async function main() {
  console.log(
    `bench:ingest — rows ${fmt(rows)}, batch ${fmt(batchSize)}, concurrency ${concurrency}, proof rows ${fmt(proofRows)}, ` +
      `PGlite rows ${fmt(pgliteRows)}; steps ${[...steps].join(',')}`,
  );
  const name = `notarium_bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const context: PgContext = {
    name,
    url: url.toString(),
    admin: quiet(poolFromUrl(serverUrl, 1)),
    direct: quiet(poolFromUrl(url.toString(), 2)),
    files: [],
  };
  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    await context.direct.end().catch(() => {});
    for (const file of context.files) await unlink(file).catch(() => {});
    if (env.BENCH_KEEP_DATABASE === '1') log(`kept database ${name} (BENCH_KEEP_DATABASE=1)`);
    else
      await context.admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch((error: unknown) => {
        console.error(`could not drop ${name}:`, error);
      });
    await context.admin.end().catch(() => {});
  };
  const interrupted = () => {
    console.error('interrupted: dropping the bench database');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    if (['ingest', 'figures', 'copy', 'proof'].some((step) => steps.has(step))) await postgresRun(context);
  } finally {
    await cleanUp();
    log(`dropped ${name}`);
  }
  if (steps.has('pglite') && pgliteRows > 0) await pgliteRun();
  log('done');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
