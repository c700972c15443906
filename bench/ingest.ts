/**
 * Bulk ingest, proof and campaign-figure benchmark. Prints its figures; asserts nothing.
 *
 *  1. Ingest against COPY (PostgreSQL; steps `ingest` and `copy` together). BENCH_ROWS (1,000,000)
 *     notifications of version 1 to new people through `POST /graphql` of the real HTTP server
 *     (startServer), with recordNotificationColumns in batches of BENCH_BATCH (5,000),
 *     BENCH_CONCURRENCY (2) requests in flight; then as many of version 2 to the same people (their
 *     subjects exist). Beside them, server-side `COPY … FROM '<csv file>'` of as many equivalent
 *     rows into the same tables, twice: over one connection, and in two halves over two connections
 *     at once; each as subjects + notifications (like the first pass) and notifications of existing
 *     subjects (like the second). The work runs in BENCH_ROUNDS (4) rounds whose order rotates so
 *     that all sides see the same machine. It prints rows/s, CPU and WAL per row, the throughput
 *     ratios and the rows per CPU-second, with the load average on each line. CPU is attributed:
 *     the API server's (this process less the load generator, which runs on its own thread) and
 *     each side's PostgreSQL backends only (pg_stat_activity by application_name; see cpu-usage.ts).
 *     (pg-copy-streams is not installed, so no COPY FROM STDIN.)
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
 *  6. Step `tlog` (not in the default steps): BENCH_ROWS notifications ingested without and with the
 *     transparency log's sequencer running every second beside the load, BENCH_TLOG_PAIRS (2) rounds
 *     each in A B B A order, and the sequencer's leaves/s (docs/transparency-log.md).
 *
 * BENCH_STEPS (default `ingest,figures,copy,proof,pglite`) picks steps; BENCH_DATABASE_URL names the
 * server (the bench creates and drops its own database, also on failure or Ctrl-C; BENCH_KEEP_DATABASE=1
 * keeps it). It needs a superuser on a server that shares this machine's temporary directory and
 * /proc (COPY FROM a file; session_replication_role for the generated rows; CPU per process).
 * Runs with NODE_ENV=production (package.json), as a deployment would.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, open, unlink } from 'node:fs/promises';
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
import { runLogCadence } from '../src/modules/transparency-log/transparency-log.service.js';
import { startServer } from '../src/server.js';
import { type Backend, describeWal, type PhaseCpu, PhaseMeter, readWal } from './cpu-usage.js';
import { httpSender, type IngestResult, type Send, ingest as sendBatches } from './http-load.js';
import { LoadThread } from './load-thread.js';

const env = process.env;
const serverUrl = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const rows = Number(env.BENCH_ROWS ?? 1_000_000);
const batchSize = Number(env.BENCH_BATCH ?? 5_000);
const itemRows = Number(env.BENCH_ITEM_ROWS ?? 200_000);
const concurrency = Number(env.BENCH_CONCURRENCY ?? 2);
const tlogPairs = Number(env.BENCH_TLOG_PAIRS ?? 2);
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
    // Within the last few minutes: a notification may not be dated before its version's publication.
    occurredAt: new Date(base - (index % 180) * 1000).toISOString(),
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

/** Sends the prepared batches in this process with `inFlight` requests at a time; prints progress every ~10 %. */
function ingest(
  send: Send,
  key: string,
  bodies: string[],
  total: number,
  inFlight: number,
): Promise<IngestResult> {
  const every = Math.max(1, Math.round(bodies.length / 10));
  return sendBatches(send, key, bodies, total, inFlight, (done, seconds) => {
    if (done % every === 0 || done === bodies.length)
      log(
        `  ${fmt(Math.min(total, done * batchSize))} / ${fmt(total)} rows, ${fmt((done * batchSize) / seconds)} rows/s`,
      );
  });
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
  /** Set-up, WAL readings and pg_stat_activity samples; measured by no side. */
  direct: pg.Pool;
  /** The COPY side's two connections. */
  copy: pg.Pool;
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

/** One chunk of the COPY reference's rows, as CSV files. */
interface CopyChunk {
  /** Notifications whose subjects exist already. */
  readonly existing: string;
  /** New subjects and their notifications. */
  readonly fresh: { subjects: string; notifications: string };
}

/** Per round: the chunk for one stream, and the same number of other rows split in two halves. */
interface CopyRound {
  readonly one: CopyChunk;
  readonly two: readonly [CopyChunk, CopyChunk];
}

async function prepareCopy(
  context: PgContext,
  keys: Keys,
  count: number,
  chunk: number,
): Promise<CopyRound[]> {
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
  log(
    `COPY reference: writing ${fmt(count)} rows four times as CSV (1 stream and 2 streams, new and ` +
      `existing subjects), in chunks of ${fmt(chunk)} (not timed)`,
  );
  const write = async (first: number, size: number): Promise<CopyChunk> => {
    const existing = (await writeCsv(context, first, size, ids, subjectIds)).notifications;
    const fresh = await writeCsv(context, first, size, ids, null);
    return { existing, fresh: { subjects: fresh.subjects!, notifications: fresh.notifications } };
  };
  const plan: CopyRound[] = [];
  for (let first = 0; first < count; first += chunk) {
    const size = Math.min(chunk, count - first);
    const half = Math.ceil(size / 2);
    plan.push({
      one: await write(first, size),
      two: [await write(first, half), await write(first + half, size - half)],
    });
  }
  await direct.query('CHECKPOINT');
  return plan;
}

/** COPY of notifications whose subjects exist. */
async function copyExisting(pool: pg.Pool, file: string): Promise<void> {
  await pool.query(`COPY "Notification" (${notificationColumns}) FROM '${file}' WITH (FORMAT csv)`);
}

/** COPY of new subjects, then of their notifications, in one transaction. */
async function copyFresh(pool: pg.Pool, files: { subjects: string; notifications: string }): Promise<void> {
  const client = await pool.connect();
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
}

async function removeChunk(chunk: CopyChunk): Promise<void> {
  for (const file of [chunk.existing, chunk.fresh.subjects, chunk.fresh.notifications]) await unlink(file);
}

/** The application_name of each side's connections, so that pg_stat_activity tells them apart. */
const applicationNames = {
  api: 'notarium-bench-api',
  copy: 'notarium-bench-copy',
  admin: 'notarium-bench-admin',
} as const;

/**
 * A pool whose connections carry `application_name` and stay open once made (no idle timeout), so
 * that no backend comes or goes between the readings of a phase. `warm` opens all of them.
 */
function namedPool(url: string, size: number, side: keyof typeof applicationNames): pg.Pool {
  const pool = quiet(poolFromUrl(url, size));
  Object.assign(pool.options, { application_name: applicationNames[side], min: size, idleTimeoutMillis: 0 });
  return pool;
}

async function warm(pool: pg.Pool): Promise<void> {
  const clients = await Promise.all(Array.from({ length: pool.options.max ?? 1 }, () => pool.connect()));
  for (const client of clients) client.release();
}

/** The backends of the bench database, by side (application_name); others by backend type. */
function backendLister(context: PgContext): () => Promise<Backend[]> {
  const sides = new Map<string, string>(Object.entries(applicationNames).map(([side, name]) => [name, side]));
  return async () =>
    (
      await context.direct.query(
        `SELECT pid, application_name AS name, backend_type AS type FROM pg_stat_activity WHERE datname = $1`,
        [context.name],
      )
    ).rows.map((row: { pid: number; name: string; type: string }) => ({
      pid: row.pid,
      side: sides.get(row.name) ?? `other: ${row.type}`,
    }));
}

interface PhaseTotal {
  rows: number;
  seconds: number;
  /** The API server's process (this process less the load generator's thread); API phases only. */
  node: number;
  /** The load generator's thread (API phases), left out of `node`. */
  client: number;
  /** The side's own backends. */
  postgres: number;
  /** Other backends of the bench database (autovacuum), and every postgres process on the machine. */
  other: number;
  machine: number;
  /** Load average × seconds, for a time-weighted mean. */
  loadSeconds: number;
  backends: number;
  churn: number;
  wal: { bytes: number; records: number; fullPages: number };
}

const emptyTotal = (): PhaseTotal => ({
  rows: 0,
  seconds: 0,
  node: 0,
  client: 0,
  postgres: 0,
  other: 0,
  machine: 0,
  loadSeconds: 0,
  backends: 0,
  churn: 0,
  wal: { bytes: 0, records: 0, fullPages: 0 },
});

/**
 * Adds one measured phase to `total`: `seconds` of the work alone (the meter's wall time also holds
 * its last sample); `clientCpu` is the load generator's share of this process.
 */
function addPhase(
  total: PhaseTotal,
  count: number,
  seconds: number,
  side: 'api' | 'copy',
  used: PhaseCpu,
  clientCpu: number,
) {
  total.rows += count;
  total.seconds += seconds;
  total.node += side === 'api' ? used.node - clientCpu : 0;
  total.client += clientCpu;
  for (const [name, cpu] of used.sides) {
    if (name === side) {
      total.postgres += cpu.seconds;
      total.backends = Math.max(total.backends, cpu.backends);
      total.churn += cpu.opened + cpu.ended;
    } else if (name.startsWith('other')) total.other += cpu.seconds;
  }
  total.machine += used.machinePostgres;
  total.loadSeconds += used.load * seconds;
}

const perRow = (seconds: number, total: PhaseTotal) => ((seconds * 1e6) / total.rows).toFixed(1);
const loadOf = (...totals: PhaseTotal[]) =>
  totals.reduce((sum, total) => sum + total.loadSeconds, 0) /
  totals.reduce((sum, total) => sum + total.seconds, 0);

/** "16,445 rows/s  Node 39.4  PostgreSQL 62.2 µs/row (10 backends, no churn)  load 4.3". */
function describePhase(label: string, total: PhaseTotal, side: 'api' | 'copy'): string {
  const node = side === 'api' ? perRow(total.node, total) : '–';
  return (
    `${label.padEnd(44)} ${fmt(total.rows / total.seconds).padStart(7)} rows/s  Node ${node.padStart(5)}  ` +
    `PostgreSQL ${perRow(total.postgres, total).padStart(5)} µs/row (${total.backends} backends, ` +
    `${total.churn === 0 ? 'none opened or closed' : `${total.churn} opened or closed`})  load ${loadOf(total).toFixed(1)}`
  );
}

/**
 * The API against COPY, interleaved: BENCH_ROUNDS rounds (default 4). Each round records a quarter
 * of the rows through the API (new people, then the next version to the same people) and copies as
 * many equivalent rows twice: over one connection, and split in halves over two connections at
 * once (like for like with the API's requests in flight). The three groups rotate from round to
 * round, so that all see the same machine; each round's rates are printed as well as the totals.
 */
async function ingestVersusCopy(
  context: PgContext,
  keys: Keys,
  load: LoadThread,
  serverUrl: string,
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
  const bodySize = Buffer.byteLength(bodies[0]!);
  load.store('new', bodies);
  load.store('known', batchBodies(rows, nextCampaignId, 0, 'columns', 2));
  await warm(context.copy);
  log(
    `${fmt(rows)} rows through recordNotificationColumns (POST /graphql, ${fmt(batchSize)} per request, ` +
      `${(bodySize / 1e6).toFixed(2)} MB, ${concurrency} in flight) against COPY over 1 and 2 connections, ${rounds} rounds`,
  );
  const totals = {
    api: emptyTotal(),
    known: emptyTotal(),
    fresh1: emptyTotal(),
    copy1: emptyTotal(),
    fresh2: emptyTotal(),
    copy2: emptyTotal(),
  };
  type Phase = keyof typeof totals;
  const latencies: number[] = [];
  const direct = context.direct;
  const meter = new PhaseMeter(backendLister(context));
  const timed = async (phase: Phase, count: number, run: () => Promise<number>) => {
    const wal = await readWal((sql) => direct.query(sql));
    await meter.start();
    const t0 = performance.now();
    const clientCpu = await run();
    const seconds = (performance.now() - t0) / 1000;
    const used = await meter.stop();
    const walEnd = await readWal((sql) => direct.query(sql));
    const total = totals[phase];
    addPhase(total, count, seconds, phase === 'api' || phase === 'known' ? 'api' : 'copy', used, clientCpu);
    if (wal && walEnd) {
      total.wal.bytes += walEnd.bytes - wal.bytes;
      total.wal.records += walEnd.records - wal.records;
      total.wal.fullPages += walEnd.fullPages - wal.fullPages;
    }
    return { rate: count / seconds, load: used.load };
  };
  sqlClock.reset();
  for (let round = 0; round < rounds; round++) {
    const first = round * chunk;
    const count = Math.min(chunk, rows - first);
    if (count <= 0) break;
    const copies = plan[round]!;
    const api = (name: 'new' | 'known') => async () => {
      sqlClock.recording = true;
      const result = await load.run({
        url: serverUrl,
        key: keys.notifier,
        name,
        from: first / batchSize,
        to: (first + count) / batchSize,
        rows: count,
        inFlight: concurrency,
      });
      sqlClock.recording = false;
      latencies.push(...result.latencies);
      if (result.accepted !== count)
        throw new Error(
          `round ${round + 1}: ${JSON.stringify({ ...result, latencies: result.latencies.length })}`,
        );
      return result.clientCpu;
    };
    const copy = (run: () => Promise<unknown>) => async () => {
      await run();
      return 0;
    };
    const groups: [Phase, () => Promise<number>][][] = [
      [
        ['api', api('new')],
        ['known', api('known')],
      ],
      [
        ['fresh1', copy(() => copyFresh(context.copy, copies.one.fresh))],
        ['copy1', copy(() => copyExisting(context.copy, copies.one.existing))],
      ],
      [
        ['fresh2', copy(() => Promise.all(copies.two.map((half) => copyFresh(context.copy, half.fresh))))],
        [
          'copy2',
          copy(() => Promise.all(copies.two.map((half) => copyExisting(context.copy, half.existing)))),
        ],
      ],
    ];
    // The groups rotate (API first, then COPY over one connection first, …); new people always
    // before known ones.
    const order = [...groups.slice(round % 3), ...groups.slice(0, round % 3)].flat();
    const rates: Partial<Record<Phase, number>> = {};
    const loads: number[] = [];
    for (const [phase, run] of order) {
      const measured = await timed(phase, count, run);
      rates[phase] = measured.rate;
      loads.push(measured.load);
    }
    for (const chunkFiles of [copies.one, ...copies.two]) await removeChunk(chunkFiles);
    const r = (phase: Phase) => fmt(rates[phase]!);
    log(
      `  round ${round + 1}/${rounds} (load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}), rows/s: ` +
        `new people API ${r('api')}, COPY ${r('fresh1')} / ${r('fresh2')} (1 / 2 streams); ` +
        `known people API ${r('known')}, COPY ${r('copy1')} / ${r('copy2')}`,
    );
  }
  latencies.sort((a, b) => a - b);
  const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(1)} %`;
  const rate = (total: PhaseTotal) => total.rows / total.seconds;
  const perCpu = (total: PhaseTotal) => total.rows / (total.node + total.postgres);
  console.log('');
  console.log(`== ingest through the API against COPY (PostgreSQL, ${rounds} interleaved rounds) ==`);
  console.log(
    'CPU per row: Node = the API server (this process less the load generator, which runs on a thread of its\n' +
      'own); PostgreSQL = only the backends of that side, found in pg_stat_activity by application_name (pools\n' +
      'opened up front and kept; /proc/<pid>/stat utime+stime at the start, every 0.5 s, and at the end).\n' +
      'Load = mean 1-minute load average during the phases.',
  );
  const lines: [string, PhaseTotal, 'api' | 'copy'][] = [
    [`API, new people (${concurrency} in flight)`, totals.api, 'api'],
    [`API, known people (${concurrency} in flight)`, totals.known, 'api'],
    ['COPY Subject + Notification, 1 stream', totals.fresh1, 'copy'],
    ['COPY Subject + Notification, 2 streams', totals.fresh2, 'copy'],
    ['COPY Notification (subjects exist), 1 stream', totals.copy1, 'copy'],
    ['COPY Notification (subjects exist), 2 streams', totals.copy2, 'copy'],
  ];
  for (const [label, total, side] of lines) console.log(describePhase(label, total, side));
  console.log(
    'Not attributed to either side (µs per row of the phase): the load generator thread / other backends',
  );
  console.log(
    'of the bench database (autovacuum) / every postgres process on the machine (other databases, WAL',
  );
  console.log('writer, checkpointer); WAL is cluster-wide:');
  for (const [label, total] of lines)
    console.log(
      `  ${label.padEnd(44)} ${perRow(total.client, total).padStart(4)} / ${perRow(total.other, total).padStart(4)} / ` +
        `${perRow(total.machine, total).padStart(6)}; ` +
        describeWal({ bytes: 0, records: 0, fullPages: 0 }, total.wal, total.rows),
    );
  console.log(
    `API request latency (${latencies.length} requests of ${fmt(batchSize)}): p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(0)} ms`,
  );
  console.log('Throughput, API / COPY:');
  const pair = (api: PhaseTotal, one: PhaseTotal, two: PhaseTotal, measure: (total: PhaseTotal) => number) =>
    `1 stream ${ratio(measure(api), measure(one))}, 2 streams ${ratio(measure(api), measure(two))}  ` +
    `(load ${loadOf(api, one, two).toFixed(1)})`;
  console.log(`  new people:   ${pair(totals.api, totals.fresh1, totals.fresh2, rate)}`);
  console.log(`  known people: ${pair(totals.known, totals.copy1, totals.copy2, rate)}`);
  console.log(
    `  new people against COPY of notifications alone: ${pair(totals.api, totals.copy1, totals.copy2, rate)}`,
  );
  console.log('Rows per CPU-second (API: Node + its backends; COPY: its backends), and API / COPY:');
  const cpuLine = (api: PhaseTotal, one: PhaseTotal, two: PhaseTotal) =>
    `API ${fmt(perCpu(api))}, COPY ${fmt(perCpu(one))} / ${fmt(perCpu(two))} (1 / 2 streams): ` +
    pair(api, one, two, perCpu);
  console.log(`  new people:   ${cpuLine(totals.api, totals.fresh1, totals.fresh2)}`);
  console.log(`  known people: ${cpuLine(totals.known, totals.copy1, totals.copy2)}`);
  printSqlBreakdown(
    `SQL per API request at ${concurrency} in flight (driver adapter; includes waits for the event loop and locks):`,
    sqlClock,
    latencies.length,
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
  // Minutes apart and after the version's publication (an earlier date is refused).
  const now = Date.now();
  const notifications = [
    { channel: 'EMAIL', at: now - 240_000 },
    { channel: 'EMAIL', at: now - 200_000 },
    { channel: 'IN_APP', at: now - 160_000 },
    { channel: 'EMAIL', at: now - 120_000 },
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
    ).map((type, step) => ({
      notificationIdempotencyKey: notification.idempotencyKey,
      type,
      occurredAt: new Date(Date.parse(notification.occurredAt) + (step + 1) * 10_000).toISOString(),
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

/**
 * Step `tlog`: ingest with and without the transparency log's sequencer running beside it (a run
 * every second, as a scheduled `log sequence` would), in alternating rounds, the backlog of each
 * idle round appended before the next sequencing round starts; then the sequencer's own rate. Ingest never touches the tree (ADR 0039): the difference is the shared lock, the
 * batch's logSequence, the Notification(batchId) index and the sequencer's competition for the machine.
 */
async function transparencyLogBench(
  database: Database,
  controllerId: string,
  ingest: (count: number, first: number) => Promise<number>,
) {
  const timed = async () => {
    const started = performance.now();
    const { appended } = await runLogCadence(database, controllerId);
    return { appended, seconds: (performance.now() - started) / 1000 };
  };
  const catchUp = await timed();
  const rates = { idle: [] as number[], sequencing: [] as number[] };
  let sequenced = 0;
  let sequencerSeconds = 0;
  const idleRound = async (first: number) => {
    rates.idle.push(await ingest(rows, first));
    // The idle round's rows are appended at once, untimed: in a deployment the sequencer keeps up
    // with ingest, so beside a round it appends that round's rows, not a backlog as well.
    const backlog = await timed();
    sequenced += backlog.appended;
    sequencerSeconds += backlog.seconds;
  };
  const sequencingRound = async (first: number) => {
    let stop = false;
    const sequencer = (async () => {
      while (!stop) {
        const run = await timed();
        sequenced += run.appended;
        sequencerSeconds += run.seconds;
        if (!stop) await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    })();
    rates.sequencing.push(await ingest(rows, first));
    stop = true;
    await sequencer;
  };
  // Rounds in A B B A order, pair after pair: ingest slows as the tables grow, and this order gives
  // both sides the same mean position, so the growth does not count against either.
  for (let pair = 0; pair < tlogPairs; pair++) {
    const first = (10 + 2 * pair) * rows;
    if (pair % 2 === 0) {
      await idleRound(first);
      await sequencingRound(first + rows);
    } else {
      await sequencingRound(first);
      await idleRound(first + rows);
    }
  }
  const last = await timed();
  sequenced += last.appended;
  sequencerSeconds += last.seconds;
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const percent = (ratio: number) => `${((ratio - 1) * 100).toFixed(1)} %`;
  console.log('== transparency log: ingest with the sequencer beside it (PostgreSQL) ==');
  console.log(
    `catch-up of ${fmt(catchUp.appended)} earlier notifications: ${catchUp.seconds.toFixed(1)} s = ` +
      `${fmt(catchUp.appended / Math.max(catchUp.seconds, 1e-9))} leaves/s`,
  );
  console.log(
    `ingest rows/s without the sequencer ${rates.idle.map((rate) => fmt(Math.round(rate))).join(', ')}; with it ${rates.sequencing.map((rate) => fmt(Math.round(rate))).join(', ')}: ` +
      percent(mean(rates.sequencing) / mean(rates.idle)),
  );
  console.log(
    `pair by pair (with / without): ${rates.sequencing.map((rate, pair) => percent(rate / rates.idle[pair]!)).join(', ')}`,
  );
  console.log(
    `sequencer: ${fmt(sequenced)} leaves in ${sequencerSeconds.toFixed(1)} s of runs = ${fmt(sequenced / Math.max(sequencerSeconds, 1e-9))} leaves/s`,
  );
  console.log('');
}

async function postgresRun(context: PgContext) {
  await context.admin.query(`CREATE DATABASE ${context.name}`);
  const sqlClock = new SqlClock();
  // The server's pool, as DATABASE_POOL_SIZE's default; named and kept open for the CPU attribution.
  const pool = namedPool(context.url, 10, 'api');
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
  const load = await LoadThread.start();
  try {
    await warm(pool);
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
      load.store(form, bodies);
      const total = emptyTotal();
      const meter = new PhaseMeter(backendLister(context));
      sqlClock.reset();
      sqlClock.recording = true;
      const walStart = await readWal((sql) => context.direct.query(sql));
      await meter.start();
      const result = await load.run({
        url: server.url,
        key: keys.notifier,
        name: form,
        from: 0,
        to: bodies.length,
        rows: count,
        inFlight: concurrency,
      });
      addPhase(total, count, result.seconds, 'api', await meter.stop(), result.clientCpu);
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
      console.log(describePhase('CPU (API server; its own backends)', total, 'api'));
      console.log(describeWal(walStart, walEnd, count));
      printSqlBreakdown(
        `SQL per request at ${concurrency} in flight (driver adapter; includes waits for the event loop and locks):`,
        sqlClock,
        bodies.length,
      );
      console.log('');
      return result.rate;
    };
    if (steps.has('tlog') && rows > 0)
      await transparencyLogBench(database, keys.controllerId, (count, first) =>
        apiIngest('columns', count, first),
      );
    if (steps.has('ingest') && steps.has('copy') && rows > 0)
      await ingestVersusCopy(context, keys, load, server.url, call, campaignId, sqlClock);
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
    await load.close();
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
    direct: namedPool(url.toString(), 2, 'admin'),
    copy: namedPool(url.toString(), 2, 'copy'),
    files: [],
  };
  let cleaned = false;
  const cleanUp = async () => {
    if (cleaned) return;
    cleaned = true;
    await context.direct.end().catch(() => {});
    await context.copy.end().catch(() => {});
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
    if (['ingest', 'figures', 'copy', 'proof', 'tlog'].some((step) => steps.has(step)))
      await postgresRun(context);
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
