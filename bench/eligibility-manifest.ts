/**
 * Eligibility manifests over never-analysed tables. Prints its figures; asserts nothing.
 *
 * Loads BENCH_SUBJECTS subjects (default 1,000,000 on PostgreSQL, 100,000 on PGlite) set-based
 * (`INSERT … SELECT FROM generate_series`), with what a real controller has: two published
 * versions of one notice (the second an editorial rewording, so notifications of both count),
 * the first sent by e-mail to 60 %, a campaign of the second across e-mail and in-app to 95 %,
 * delivery events (SENT for all; DELIVERED, OPENED, DISPLAYED, DISMISSED; 2 % bounced; some
 * reached too late for the lead time), objections and their withdrawals, versioned consents and
 * withdrawals of consent, a few erased subjects. The tables are NOT analysed (a bulk load is not,
 * and this machine's PostgreSQL has autovacuum off). Then it creates a manifest for a
 * legitimate-interests purpose and one for a consent purpose through GraphQL and prints time,
 * rows, the load average, and `EXPLAIN (ANALYZE, BUFFERS)` of the slowest statement of each.
 *
 * PostgreSQL by default (BENCH_DATABASE_URL, a server URL; the bench creates and drops its own
 * database, BENCH_KEEP_DATABASE=1 keeps it); BENCH_DATABASE=pglite for embedded PGlite.
 * BENCH_DATABASE_NAME=<name> (PostgreSQL) uses that database and never drops it: created and
 * loaded when it does not exist, reused without loading when it was loaded before (migrations
 * are deployed either way), so that runs before and after a change measure the same data.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
} from '@prisma/driver-adapter-utils';
import { createPubSub } from 'graphql-yoga';
import { createApp } from '../src/app.js';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../src/db/adapters.js';
import { type Database, databaseFromFactory, poolFromUrl } from '../src/db/database.js';
import { deployMigrations } from '../src/db/migrations.js';
import { Prisma } from '../src/generated/prisma/client.js';
import { createLogger } from '../src/log/logger.js';
import { issueApiKey } from '../src/modules/api-key/api-key.service.js';
import { createController } from '../src/modules/controller/controller.service.js';
import { manifestChunking } from '../src/modules/eligibility/eligibility.service.js';
import { rangePlanSettings } from '../src/modules/eligibility/eligibility.sql.js';
import type { NoticeEvents } from '../src/modules/notice/notice.events.js';
import { NoticeVersionService } from '../src/modules/notice/notice-version.service.js';
import { graphqlCall } from './notice-seed.js';

const pglite = process.env.BENCH_DATABASE === 'pglite';
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const subjects = Number(process.env.BENCH_SUBJECTS ?? (pglite ? 100_000 : 1_000_000));
const reuseName = pglite ? undefined : process.env.BENCH_DATABASE_NAME;
const chunk = 250_000;
/** The planner settings each range statement runs under, as the manifest sends them. */
const rangeSettings = rangePlanSettings(manifestChunking[pglite ? 'embedded' : 'postgres'].reach).sql;
const day = 24 * 60 * 60 * 1000;

interface Timed {
  readonly query: SqlQuery;
  readonly ms: number;
  /** Sent in a transaction (a range, after its planner settings). */
  readonly inTransaction: boolean;
}

/** Records every statement Prisma sends, with its duration, while `recording` is on. */
function timing(log: Timed[], state: { recording: boolean }) {
  const timed = <T extends SqlQueryable>(target: T, inTransaction = false): T => {
    const queryRaw = target.queryRaw.bind(target);
    target.queryRaw = async (query) => {
      const started = performance.now();
      const result = await queryRaw(query);
      if (state.recording) log.push({ query, ms: performance.now() - started, inTransaction });
      return result;
    };
    return target;
  };
  const timedAdapter = (target: SqlDriverAdapter): SqlDriverAdapter => {
    const startTransaction = target.startTransaction.bind(target);
    target.startTransaction = async (isolationLevel) => timed(await startTransaction(isolationLevel), true);
    return timed(target);
  };
  return (factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory =>
    Object.assign(Object.create(factory), {
      connect: async () => timedAdapter(await factory.connect()),
    });
}

interface BenchDatabase {
  readonly database: Database;
  /** Runs SQL outside Prisma, for EXPLAIN: in a transaction, after `settings` (SET LOCAL …). */
  readonly raw: (settings: string, text: string, args: unknown[]) => Promise<Record<string, unknown>[]>;
  readonly drop: () => Promise<void>;
}

async function openBenchDatabase(wrapFactory: ReturnType<typeof timing>): Promise<BenchDatabase> {
  if (pglite) {
    const db = new PGlite();
    await deployMigrations(createPgliteAdapterFactory(db));
    const database = databaseFromFactory('embedded', createPgliteAdapterFactory(db), () => db.close(), {
      wrapFactory,
    });
    return {
      database,
      raw: (settings, text, args) =>
        db.transaction(async (tx) => {
          await tx.exec(settings);
          return (await tx.query<Record<string, unknown>>(text, args)).rows;
        }),
      drop: async () => {},
    };
  }
  const name = reuseName ?? `notarium_bench_${randomBytes(4).toString('hex')}`;
  const admin = poolFromUrl(serverUrl, 1);
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = poolFromUrl(url.toString(), 4);
  await deployMigrations(createPostgresAdapterFactory(pool));
  const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end(), {
    wrapFactory,
  });
  return {
    database,
    raw: async (settings, text, args) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(settings);
        return (await client.query(text, args)).rows;
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    },
    drop: async () => {
      if (process.env.BENCH_KEEP_DATABASE || reuseName) console.log(`database kept: ${name}`);
      else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main() {
  const log: Timed[] = [];
  const state = { recording: false };
  const bench = await openBenchDatabase(timing(log, state));
  try {
    await run(bench, log, state);
  } finally {
    await bench.database.close();
    await bench.drop();
  }
}

async function run(bench: BenchDatabase, log: Timed[], state: { recording: boolean }) {
  const { database } = bench;
  const prisma = database.prisma;
  const app = createApp({
    config: { environment: 'production' },
    database,
    logger: createLogger((process.env.BENCH_LOG ?? 'silent') as 'silent'),
  });
  const loaded = await prisma.controller.findUnique({ where: { slug: 'bench' } });
  if (loaded) {
    const admin = await issueApiKey(prisma, loaded.id, { name: 'ADMIN (reuse)', role: 'ADMIN' });
    console.log(`database: ${database.kind}; reusing the data loaded before (${reuseName})`);
    return manifests(bench, app, admin.secret, log, state);
  }
  const controller = await createController(prisma, {
    slug: 'bench',
    name: 'Bench',
    legalName: 'Bench Ltd',
    contactEmail: 'b@bench.example',
  });
  const key = async (role: 'EDITOR' | 'NOTIFIER' | 'ADMIN') =>
    issueApiKey(prisma, controller.id, { name: role, role });
  const editor = await key('EDITOR');
  const notifier = (await key('NOTIFIER')).secret;
  const admin = (await key('ADMIN')).secret;
  const call = graphqlCall(app);

  const content = {
    description: 'Bench purpose.',
    dataCategories: ['usage data'],
    dataSubjectCategories: ['users'],
    recipients: ['none'],
    retentionPeriodDays: 365,
  };
  const purpose = (key: string, extra: Record<string, unknown>) =>
    call(editor.secret, 'mutation($i: CreatePurposeInput!) { createPurpose(input: $i) { __typename } }', {
      i: { key, content: { ...content, name: key, ...extra } },
    });
  await purpose('analytics', {
    legalBasis: 'LEGITIMATE_INTERESTS',
    legitimateInterest: 'Improving the service',
  });
  await purpose('newsletter', { legalBasis: 'CONSENT' });
  await call(
    editor.secret,
    'mutation { createNotice(input: { key: "privacy", title: "Privacy", defaultLocale: "en", requiredLocales: ["en"] }) { __typename } }',
  );
  const versions = new NoticeVersionService(
    database,
    { apiKeyId: editor.apiKey.id, keyName: 'EDITOR', role: 'EDITOR', controllerId: controller.id },
    createPubSub<NoticeEvents>(),
  );
  const now = Date.now();
  for (const [text, publishedAt] of [
    ['We analyse how the service is used and send a newsletter to those who want it.', now - 120 * day],
    ['We analyse how our service is used, and we send a newsletter to those who ask for it.', now - 60 * day],
  ] as const) {
    await call(
      editor.secret,
      'mutation($i: CreateNoticeDraftInput!) { createNoticeDraft(input: $i) { __typename } }',
      {
        i: {
          noticeKey: 'privacy',
          purposeKeys: ['analytics', 'newsletter'],
          translations: [{ locale: 'en', title: 'Privacy', body: `# Privacy\n\n${text}\n` }],
          changeSummary: 'bench',
          effectiveFrom: new Date(now - 1000).toISOString(),
        },
      },
    );
    const draft = await prisma.noticeVersion.findFirstOrThrow({ where: { status: 'DRAFT' } });
    await versions.publish(
      draft.id,
      {
        changeMessage: 'bench',
        leadTimeOverrideReason: 'benchmark',
        notMaterial: { signedBy: 'Bench', reason: 'Rewording only; the processing is unchanged.' },
      },
      new Date(publishedAt),
    );
  }
  await call(
    notifier,
    'mutation($i: RecordNotificationsInput!) { recordNotifications(input: $i) { __typename } }',
    {
      i: {
        items: [
          {
            subjectRef: 'api-subject',
            noticeKey: 'privacy',
            versionNumber: 1,
            channel: 'EMAIL',
            locale: 'en',
            occurredAt: new Date(now - 110 * day).toISOString(),
            idempotencyKey: 'api-1',
          },
        ],
      },
    },
  );
  const [ids] = await prisma.$queryRaw<
    { batchId: string; v1: string; v2: string; li: string; consent: string }[]
  >`
    SELECT n."batchId"::text AS "batchId",
      (SELECT "id"::text FROM "NoticeVersion" WHERE "number" = 1) AS "v1",
      (SELECT "id"::text FROM "NoticeVersion" WHERE "number" = 2) AS "v2",
      (SELECT "id"::text FROM "Purpose" WHERE "key" = 'analytics') AS "li",
      (SELECT "id"::text FROM "Purpose" WHERE "key" = 'newsletter') AS "consent"
    FROM "Notification" n WHERE n."idempotencyKey" = 'api-1'`;
  const { batchId, v1, v2, li, consent } = ids!;
  const c = controller.id;
  const base = new Date(now).toISOString();

  const generation = performance.now();
  for (let low = 1; low <= subjects; low += chunk) {
    const high = Math.min(subjects, low + chunk - 1);
    const series = Prisma.sql`generate_series(${low}::int, ${high}::int) g`;
    const subject = Prisma.sql`md5('bench-s-' || g)::uuid`;
    const t = (days: number) =>
      Prisma.sql`(${base}::timestamptz + ${days}::int * interval '1 day' + g * interval '3 milliseconds')`;
    await prisma.$executeRaw`
      INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale", "erasedAt")
      SELECT ${subject}, ${c}::uuid, 'bench-' || g, 'DE', 'de',
        CASE WHEN g % 1000 = 0 THEN ${t(-3)} END
      FROM ${series}`;
    // Version 1 by e-mail to 60 %; the campaign of version 2 to 95 %, 60 % by e-mail, 40 % in-app.
    await prisma.$executeRaw`
      INSERT INTO "Notification" ("id", "controllerId", "subjectId", "versionId", "channel", "locale", "occurredAt",
        "idempotencyKey", "contentHash", "batchId")
      SELECT gen_random_uuid(), ${c}::uuid, ${subject}, ${v1}::uuid, 'EMAIL', 'en', ${t(-110)},
        'n1-' || g, md5('n1-' || g), ${batchId}::uuid
      FROM ${series} WHERE g % 5 < 3`;
    await prisma.$executeRaw`
      INSERT INTO "Notification" ("id", "controllerId", "subjectId", "versionId", "channel", "locale", "occurredAt",
        "idempotencyKey", "contentHash", "batchId")
      SELECT gen_random_uuid(), ${c}::uuid, ${subject}, ${v2}::uuid,
        (CASE WHEN g % 10 < 6 THEN 'EMAIL' ELSE 'IN_APP' END)::"NotificationChannel", 'en', ${t(-50)},
        'n2-' || g, md5('n2-' || g), ${batchId}::uuid
      FROM ${series} WHERE g % 20 <> 0`;
    // Events: SENT for every notification; e-mail DELIVERED (93 %) or BOUNCED (2 %), OPENED (30 %);
    // in-app DISPLAYED (70 %), DISMISSED (20 %); 5 % of the campaign's reached late (10 days ago).
    await prisma.$executeRaw`
      INSERT INTO "NotificationEvent" ("id", "controllerId", "notificationKey", "type", "occurredAt")
      SELECT gen_random_uuid(), ${c}::uuid, k.key, e.type::"NotificationEventType", k.at + e.after
      FROM ${series}
      CROSS JOIN LATERAL (VALUES ('n1-' || g, 'EMAIL', ${t(-110)}, g % 5 < 3),
                                 ('n2-' || g, CASE WHEN g % 10 < 6 THEN 'EMAIL' ELSE 'IN_APP' END, ${t(-50)}, g % 20 <> 0))
        AS k(key, channel, at, sent)
      CROSS JOIN LATERAL (VALUES
          ('SENT', interval '1 second', true),
          ('DELIVERED', CASE WHEN g % 20 = 1 THEN interval '40 days' ELSE interval '5 seconds' END,
            k.channel = 'EMAIL' AND g % 100 < 93),
          ('BOUNCED', interval '5 seconds', k.channel = 'EMAIL' AND g % 100 >= 98),
          ('OPENED', interval '2 hours', k.channel = 'EMAIL' AND g % 10 < 3),
          ('DISPLAYED', CASE WHEN g % 20 = 1 THEN interval '40 days' ELSE interval '3 hours' END,
            k.channel = 'IN_APP' AND g % 10 < 7),
          ('DISMISSED', interval '4 hours', k.channel = 'IN_APP' AND g % 10 < 2)) AS e(type, after, occurs)
      WHERE k.sent AND e.occurs`;
    // Objections (2 %, a tenth of them withdrawn); consents naming version 2 (40 %) or 1 (5 %);
    // withdrawals of consent (2 %).
    await prisma.$executeRaw`
      INSERT INTO "Response" ("id", "controllerId", "subjectId", "purposeId", "kind", "occurredAt", "channel",
        "versionId", "idempotencyKey", "contentHash")
      SELECT gen_random_uuid(), ${c}::uuid, ${subject}, r.purpose, r.kind::"ResponseKind", r.at, 'WEB_BANNER',
        r.version, r.key || g, md5(r.key || g)
      FROM ${series}
      CROSS JOIN LATERAL (VALUES
          (${li}::uuid, 'OBJECTED', ${t(-20)}, ${v2}::uuid, 'o-', g % 50 = 7),
          (${li}::uuid, 'OBJECTION_WITHDRAWN', ${t(-10)}, ${v2}::uuid, 'ow-', g % 500 = 7),
          (${consent}::uuid, 'CONSENT_GIVEN', ${t(-40)}, ${v2}::uuid, 'c2-', g % 5 < 2),
          (${consent}::uuid, 'CONSENT_GIVEN', ${t(-100)}, ${v1}::uuid, 'c1-', g % 20 = 19),
          (${consent}::uuid, 'CONSENT_WITHDRAWN', ${t(-5)}, ${v2}::uuid, 'cw-', g % 50 = 3))
        AS r(purpose, kind, at, version, key, occurs)
      WHERE r.occurs`;
  }
  const generated = (performance.now() - generation) / 1000;
  const [counts] = await prisma.$queryRaw<{ s: number; n: number; e: number; r: number; analysed: number }[]>`
    SELECT (SELECT count(*)::int FROM "Subject") AS s, (SELECT count(*)::int FROM "Notification") AS n,
      (SELECT count(*)::int FROM "NotificationEvent") AS e, (SELECT count(*)::int FROM "Response") AS r,
      (SELECT count(*)::int FROM pg_stat_user_tables
        WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analysed`;
  const figure = (value: number) => value.toLocaleString('en-US');
  console.log(
    `database: ${database.kind}; loaded ${figure(counts!.s)} subjects, ${figure(counts!.n)} notifications, ` +
      `${figure(counts!.e)} events, ${figure(counts!.r)} responses in ${generated.toFixed(1)} s; ` +
      `tables analysed: ${counts!.analysed}`,
  );

  await manifests(bench, app, admin, log, state);
}

async function manifests(
  bench: BenchDatabase,
  app: ReturnType<typeof createApp>,
  admin: string,
  log: Timed[],
  state: { recording: boolean },
) {
  const asAdmin = graphqlCall(app);
  const call = (query: string, variables: Record<string, unknown>) => asAdmin(admin, query, variables);
  const [counts] = await bench.database.prisma.$queryRaw<{ s: number; analysed: number }[]>`
    SELECT (SELECT count(*)::int FROM "Subject") AS s,
      (SELECT count(*)::int FROM pg_stat_user_tables
        WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analysed`;
  const figure = (value: number) => value.toLocaleString('en-US');
  if (counts!.analysed > 0) console.log(`tables analysed: ${counts!.analysed}`);
  for (const purposeKey of ['analytics', 'newsletter']) {
    log.length = 0;
    const before = load();
    state.recording = true;
    const started = performance.now();
    const data = (await call(
      'mutation($i: CreateEligibilityManifestInput!) { createEligibilityManifest(input: $i) { ... on CreateEligibilityManifestPayload { manifest { eligible setHash } } ... on Error { code message } } }',
      { i: { purposeKey } },
    )) as { createEligibilityManifest: { manifest: { eligible: number; setHash: string } } };
    const seconds = (performance.now() - started) / 1000;
    state.recording = false;
    const { manifest } = data.createEligibilityManifest;
    const statements = [...log].sort((a, b) => b.ms - a.ms);
    const ranges = log.filter((entry) => entry.query.sql.includes('string_agg'));
    console.log(
      `\n${purposeKey}: ${seconds.toFixed(2)} s, ${figure(manifest.eligible)} eligible of ${figure(counts!.s)} ` +
        `(set hash ${manifest.setHash.slice(0, 16)}…), ` +
        `${log.length} statements (${ranges.length} ranges, slowest ${statements[0]!.ms.toFixed(0)} ms, ` +
        `range sum ${ranges.reduce((sum, entry) => sum + entry.ms, 0).toFixed(0)} ms); load average ${before} -> ${load()}`,
    );
    // EXPLAIN ANALYZE executes what it explains: only a read-only statement is run again.
    const readOnly = statements.find(
      (entry) =>
        /^\s*(SELECT|WITH)\b/i.test(entry.query.sql) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(entry.query.sql),
    );
    if (!readOnly) continue;
    const slowest = readOnly.query;
    const settings = readOnly.inTransaction ? rangeSettings : 'SELECT 1';
    const plan = await bench.raw(settings, `EXPLAIN (ANALYZE, BUFFERS) ${slowest.sql}`, [...slowest.args]);
    console.log(`EXPLAIN (ANALYZE, BUFFERS) of the slowest read-only statement:`);
    for (const row of plan) console.log(`  ${Object.values(row)[0]}`);
    if (process.env.BENCH_EXPLAIN_ALL) await explainAll(bench, ranges);
  }
}

/**
 * BENCH_EXPLAIN_ALL=1: runs every range statement again under `EXPLAIN (ANALYZE, BUFFERS)` and
 * prints the buffers of all ranges together (pages found in shared buffers, pages read from the
 * OS) and the sum of their execution times: figures that depend far less on the machine's load
 * than the wall time does.
 */
async function explainAll(bench: BenchDatabase, ranges: readonly Timed[]) {
  let hit = 0;
  let read = 0;
  let ms = 0;
  for (const { query, inTransaction } of ranges) {
    const [row] = await bench.raw(
      inTransaction ? rangeSettings : 'SELECT 1',
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`,
      [...query.args],
    );
    const explained = Object.values(row!)[0];
    const [top] = (typeof explained === 'string' ? JSON.parse(explained) : explained) as {
      Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number };
      'Execution Time': number;
    }[];
    hit += top!.Plan['Shared Hit Blocks'];
    read += top!.Plan['Shared Read Blocks'];
    ms += top!['Execution Time'];
  }
  const figure = (value: number) => value.toLocaleString('en-US');
  console.log(
    `all ${ranges.length} ranges again under EXPLAIN: shared buffers hit ${figure(hit)}, read ${figure(read)}; ` +
      `execution ${figure(Math.round(ms))} ms in all`,
  );
}

await main();
