/**
 * Proof and eligibility lookups at scale: on a fresh PostgreSQL database (BENCH_DATABASE_URL,
 * default the local server) loaded set-based with BENCH_NOTIFICATIONS notifications (default
 * 10,000,000: BENCH_VERSIONS versions of one notice per subject, so 2,500,000 subjects by default),
 * one delivery event each, a campaign, objections and consents — and never analysed, as on a
 * server whose statistics are missing — times BENCH_ITERATIONS lookups of random subjects, one at
 * a time, through the real GraphQL handler:
 *   subject(ref) { notificationProof(noticeKey, version) { … } }   and
 *   subject(ref) { eligibility(purposeKey) { … evidence … transparency … } }
 * Prints p50/p95/p99, the SQL statements per lookup, the plans of the main statements and the
 * load average, and where each of the slowest 1 % of lookups went: its position in the run, the time
 * its statements were out (less any garbage-collection pause inside them), the garbage-collection
 * pauses it met, and the rest (Node's own work, the scheduler); how long the PostgreSQL backends and
 * Node's threads waited for a CPU (bench/run-queue.ts); and whether the targets (at most 3
 * statements, p99 under 5 ms) were met. Asserts nothing.
 *
 * BENCH_DATABASE_NAME names the database and keeps it: a later run with the same name (and the
 * same BENCH_NOTIFICATIONS and BENCH_VERSIONS) skips the load and measures again in seconds.
 * Without it the bench creates a database of a random name and drops it at the end.
 * BENCH_WARMUP lookups of other subjects (default 2,000 of each kind) run before the timed ones: V8
 * optimises the request path only after some thousands of requests, as a server long running has.
 * BENCH_ITERATIONS (default 2,000) lookups of each kind are timed: the p99 is then the 20th slowest,
 * not the 4th, and one stall of the machine cannot decide it alone.
 * Before the warm-up the bench reads every table and index once (pg_prewarm), so that memory holds
 * them, as on a server that has run for a while (ADR 0052): PostgreSQL's buffer cache when
 * `shared_buffers` can hold the database, the kernel's page cache otherwise; BENCH_PREWARM=0 skips
 * that and times whatever memory holds.
 * BENCH_CPU_PROFILE=file.cpuprofile writes a V8 CPU profile of the timed lookups;
 * BENCH_HEAP_PROFILE=file.heapprofile a sampling profile of what they allocate (every object, also
 * those the collections freed); with BENCH_HEAP_PROFILE_SURVIVORS=1 only of the objects that
 * outlived a young-generation collection (what the scavenges copy, hence their pauses).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { createApp } from '../src/app.js';
import { createPostgresAdapterFactory } from '../src/db/adapters.js';
import { type Database, databaseFromFactory, poolFromUrl } from '../src/db/database.js';
import { deployMigrations } from '../src/db/migrations.js';
import { memoryRateLimiter } from '../src/graphql/rate-limit.js';
import { createLogger } from '../src/log/logger.js';
import { issueApiKey } from '../src/modules/api-key/api-key.service.js';
import { ApiKeyCache } from '../src/modules/api-key/key-cache.js';
import { createController } from '../src/modules/controller/controller.service.js';
import { subjectFactsQuery } from '../src/modules/eligibility/subject-facts.js';
import { publishedVersionRows } from '../src/modules/notice/published-version-rows.js';
import { proofFactsQuery } from '../src/modules/subject/proof-facts.sql.js';
import { SubjectRefHasher } from '../src/modules/subject/subject-ref.js';
import { overlap, QueryCounter } from '../test/support/query-counter.js';
import { graphqlCall, publishBenchVersion } from './notice-seed.js';
import { describeRunQueue, sampleRunQueue } from './run-queue.js';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const notifications = Number(process.env.BENCH_NOTIFICATIONS ?? 10_000_000);
const versions = Number(process.env.BENCH_VERSIONS ?? 4);
const iterations = Number(process.env.BENCH_ITERATIONS ?? 2_000);
const warmup = Number(process.env.BENCH_WARMUP ?? 2_000);
const keptName = process.env.BENCH_DATABASE_NAME;
const profilePath = process.env.BENCH_CPU_PROFILE;
const heapProfilePath = process.env.BENCH_HEAP_PROFILE;
const survivorsOnly = process.env.BENCH_HEAP_PROFILE_SURVIVORS === '1';
const prewarm = process.env.BENCH_PREWARM !== '0';
const subjects = Math.ceil(notifications / versions);
const chunk = 250_000;
const secret = randomBytes(32).toString('hex');

const proofQuery = `query($ref: String!, $version: Int!) { subject(ref: $ref) {
  notificationProof(noticeKey: "privacy", version: $version) { ... on NotificationProof {
    contentHash reached firstReachedAt leadTimeEndsAt leadTimeMet batchIds
    version { number noticeKey effectiveFrom }
    notifications { notification { id idempotencyKey channel locale occurredAt }
      events { type occurredAt } evidenceStrength countingEvents reached reachedAt textHash }
  } } } }`;
const eligibilityQuery = `query($ref: String!) { subject(ref: $ref) {
  eligibility(purposeKey: "li") { ... on EligibilityResult {
    decision rule legalBasis explanation purposeRevision { number }
    evidence { version { noticeKey number } notification { id } event { id type } response { id kind } }
    transparency { status since reached version { noticeKey number } notification { id } event { type } }
  } } } }`;

/** The nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A UUID made of a number, so that generated rows arrive in index order (`kind` tells tables apart). */
const uuidOf = (kind: string, expression: string) =>
  `('00000000-0000-4000-${kind}-' || lpad(to_hex(${expression}), 12, '0'))::uuid`;

type Call = ReturnType<typeof graphqlCall>;

/** The setup a finished load left in a kept database, if its sizes are the ones asked for. */
async function loadedSetup(pool: Pool): Promise<{ controllerId: string; loadedSeconds: number } | null> {
  const found = await pool
    .query(
      `SELECT "controllerId", "loadedSeconds" FROM bench_lookup_setup WHERE "subjects" = $1 AND "versions" = $2`,
      [subjects, versions],
    )
    .catch(() => null);
  return (found?.rows[0] as { controllerId: string; loadedSeconds: number } | undefined) ?? null;
}

/**
 * Reads every table and index of the database once with pg_prewarm, so that memory holds them when
 * the timing starts, as it does on a server that has run for a while: into PostgreSQL's buffer
 * cache (`buffer` mode) when `shared_buffers` can hold the whole database, otherwise into the
 * kernel's page cache (`read` mode). Neither sets hint bits or statistics. Tells what it read and
 * where, or why it could not.
 */
async function readIntoMemory(pool: Pool): Promise<string> {
  const started = performance.now();
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    const { rows: sizes } = await pool.query(
      `SELECT current_setting('shared_buffers') AS setting,
         (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers') AS buffers,
         pg_database_size(current_database()) AS database`,
    );
    const { setting, buffers, database } = sizes[0] as { setting: string; buffers: string; database: string };
    const mode = Number(buffers) >= Number(database) ? 'buffer' : 'read';
    const { rows } = await pool.query(
      `SELECT coalesce(sum(pg_prewarm(c.oid, $1)), 0)::bigint AS blocks FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i')`,
      [mode],
    );
    const megabytes = (Number(rows[0].blocks) * 8) / 1024;
    const where =
      mode === 'buffer'
        ? `PostgreSQL's buffer cache (shared_buffers ${setting})`
        : `the page cache (shared_buffers ${setting}, smaller than the database)`;
    return `read into ${where} first (pg_prewarm, ${megabytes.toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s)`;
  } catch (error) {
    return `not read into memory first (pg_prewarm: ${(error as Error).message})`;
  }
}

/** Loads a fresh database through the API and set-based SQL; records its setup when done. */
async function load(database: Database, pool: Pool, call: Call) {
  const controller = await createController(database.prisma, {
    slug: 'bench',
    name: 'Bench',
    legalName: 'Bench Ltd',
    contactEmail: 'b@bench.example',
  });
  const key = async (role: 'EDITOR' | 'NOTIFIER', keyName: string) =>
    (await issueApiKey(database.prisma, controller.id, { name: keyName, role })).secret;
  const [editor, notifier] = [await key('EDITOR', 'editor'), await key('NOTIFIER', 'notifier')];

  const purpose = (legalBasis: string, extra: Record<string, unknown>) => ({
    name: `Purpose ${legalBasis}`,
    description: 'Benchmark purpose.',
    legalBasis,
    dataCategories: ['contact data'],
    dataSubjectCategories: ['customers'],
    recipients: ['none'],
    retentionPeriodDays: 365,
    ...extra,
  });
  for (const [purposeKey, content] of [
    ['li', purpose('LEGITIMATE_INTERESTS', { legitimateInterest: 'Improving our services' })],
    ['news', purpose('CONSENT', { legitimateInterest: null })],
  ] as const) {
    await call(editor, 'mutation($i: CreatePurposeInput!) { createPurpose(input: $i) { __typename } }', {
      i: { key: purposeKey, content },
    });
  }
  await call(
    editor,
    'mutation { createNotice(input: { key: "privacy", title: "Privacy", defaultLocale: "en", requiredLocales: ["de"] }) { __typename } }',
  );
  for (let number = 1; number <= versions; number++) {
    await publishBenchVersion(call, editor, {
      noticeKey: 'privacy',
      purposeKeys: ['li', 'news'],
      translations: ['en', 'de'].map((locale) => ({
        locale,
        title: `Privacy ${number} (${locale})`,
        body: `We process your data. Version ${number}. `.repeat(100),
      })),
      changeSummary: `Version ${number}`,
      effectiveFrom: new Date().toISOString(),
    });
  }
  // One notification through the API, for a real batch row the generated ones point to.
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
            occurredAt: new Date().toISOString(),
            idempotencyKey: 'api-1',
          },
        ],
      },
    },
  );
  const [ids] = (
    await pool.query(`
        SELECT n."batchId",
          (SELECT array_agg(v."id" ORDER BY v."number") FROM "NoticeVersion" v) AS "versionIds",
          (SELECT "id" FROM "Purpose" WHERE "key" = 'li') AS "li",
          (SELECT "id" FROM "Purpose" WHERE "key" = 'news') AS "news"
        FROM "Notification" n WHERE n."idempotencyKey" = 'api-1'`)
  ).rows as { batchId: string; versionIds: string[]; li: string; news: string }[];
  const { batchId, versionIds, li, news } = ids!;
  const c = controller.id;
  const campaign = (
    await pool.query(
      `INSERT INTO "Campaign" ("id", "controllerId", "versionId", "name", "channels", "audienceDescription", "plannedSize")
         VALUES (gen_random_uuid(), $1, $2, 'bench', '{EMAIL,IN_APP,PUSH,SMS}', 'everyone', $3) RETURNING "id"`,
      [c, versionIds.at(-1), subjects],
    )
  ).rows[0].id as string;

  // Generated rows are consistent by construction: the loading session skips the per-row
  // foreign-key and append-only triggers, as a restore does.
  const loader = await pool.connect();
  await loader.query(`SET session_replication_role = replica`);
  const loading = performance.now();
  const notificationNumber = '((g - 1) * $5::int + v)';
  for (let low = 1; low <= subjects; low += chunk) {
    const high = Math.min(subjects, low + chunk - 1);
    const range = [low, high];
    await loader.query(
      `INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale")
         SELECT ${uuidOf('9000', 'g')}, $3, 'bench-' || g, 'DE', 'de' FROM generate_series($1::int, $2::int) g`,
      [...range, c],
    );
    const rows = `FROM generate_series($1::int, $2::int) g CROSS JOIN generate_series(1, $5::int) v
        CROSS JOIN LATERAL (SELECT date_trunc('milliseconds', now() - (45 - 10 * v) * interval '1 day'
          + (g % 86400) * interval '1 second') AS at) t`;
    await loader.query(
      `INSERT INTO "Notification" ("id", "controllerId", "subjectId", "versionId", "channel", "locale", "occurredAt",
           "campaignId", "idempotencyKey", "contentHash", "jurisdiction", "batchId")
         SELECT ${uuidOf('8000', notificationNumber)}, $3, ${uuidOf('9000', 'g')}, ($4::uuid[])[v],
           (ARRAY['EMAIL','IN_APP','PUSH','SMS'])[1 + g % 4]::"NotificationChannel", CASE WHEN g % 3 = 0 THEN 'de' ELSE 'en' END,
           t.at, CASE WHEN v = $5::int THEN $6::uuid END, 'n-' || lpad(${notificationNumber}::text, 10, '0'),
           md5(g::text || '/' || v::text), 'DE', $7
         ${rows}`,
      [...range, c, versionIds, versions, campaign, batchId],
    );
    await loader.query(
      `INSERT INTO "NotificationEvent" ("id", "controllerId", "notificationKey", "type", "occurredAt")
         SELECT ${uuidOf('a000', notificationNumber)}, $3, 'n-' || lpad(${notificationNumber}::text, 10, '0'),
           (CASE WHEN g % 10 = 0 THEN 'BOUNCED' WHEN g % 4 = 1 THEN 'DISPLAYED' ELSE 'DELIVERED' END)::"NotificationEventType",
           t.at + interval '2 seconds'
         ${rows} WHERE $4::int > 0`,
      [...range, c, versions, versions],
    );
    await loader.query(
      `INSERT INTO "Response" ("id", "controllerId", "subjectId", "purposeId", "kind", "occurredAt", "channel",
           "versionId", "idempotencyKey", "contentHash")
         SELECT ${uuidOf('b000', '(g * 3 + r.k)')}, $3, ${uuidOf('9000', 'g')}, r.purpose, r.kind::"ResponseKind",
           date_trunc('milliseconds', now() - r.days * interval '1 day'), 'WEB_BANNER', $6, 'r-' || g || '-' || r.k, md5(g::text)
         FROM generate_series($1::int, $2::int) g
         CROSS JOIN LATERAL (VALUES (0, $4::uuid, 'OBJECTED', 20, g % 10 = 0), (1, $4::uuid, 'OBJECTION_WITHDRAWN', 10, g % 20 = 0),
           (2, $5::uuid, 'CONSENT_GIVEN', 5, g % 4 = 0)) AS r(k, purpose, kind, days, wanted)
         WHERE r.wanted`,
      [...range, c, li, news, versionIds.at(-1)],
    );
    process.stderr.write(
      `\rloaded ${high.toLocaleString('en')} of ${subjects.toLocaleString('en')} subjects`,
    );
  }
  const loaded = (performance.now() - loading) / 1000;
  process.stderr.write('\n');
  await loader.query(`RESET session_replication_role`);
  loader.release();

  await pool.query(
    `CREATE TABLE bench_lookup_setup ("controllerId" uuid, "subjects" int, "versions" int, "loadedSeconds" float8)`,
  );
  await pool.query(`INSERT INTO bench_lookup_setup VALUES ($1, $2, $3, $4)`, [c, subjects, versions, loaded]);
  return { controllerId: c, loadedSeconds: loaded };
}

async function main() {
  const name = keptName ?? `notarium_bench_${randomBytes(4).toString('hex')}`;
  const admin = poolFromUrl(serverUrl, 1);
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let pool = poolFromUrl(url.toString(), 10);
  // A kept database is reused only when its load finished with the same sizes; else it is made anew.
  const loadedBefore = exists ? await loadedSetup(pool) : null;
  if (exists && loadedBefore === null) {
    await pool.end();
    await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
    pool = poolFromUrl(url.toString(), 10);
  }
  if (loadedBefore === null) await admin.query(`CREATE DATABASE ${name}`);
  const counter = new QueryCounter();
  counter.timing = true;
  try {
    if (loadedBefore === null) await deployMigrations(createPostgresAdapterFactory(pool));
    const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), async () => {}, {
      wrapFactory: (factory) => counter.wrap(factory),
    });
    // As the server runs it (src/server.ts): the key cache on with its default settings; the
    // per-key rate limit lifted, so that the number of lookups never meets it.
    const app = createApp({
      config: { environment: 'production' },
      database,
      logger: createLogger('silent'),
      subjectRefSecret: secret,
      keyCache: new ApiKeyCache({ ttlMs: 5_000, maxEntries: 10_000 }),
      limits: { rateLimiter: memoryRateLimiter(1_000_000) },
    });
    // With the server's own Request class (graphqlCall): Node's global one would make the
    // scavenges, not the lookups, what the tail of the distribution measures.
    const call = graphqlCall(app);
    const { controllerId: c, loadedSeconds: loaded } = loadedBefore ?? (await load(database, pool, call));
    const key = async (keyName: string) =>
      (await issueApiKey(database.prisma, c, { name: keyName, role: 'AUDITOR' })).secret;
    const [proofKey, eligibilityKey] = [await key('proofs'), await key('eligibility')];

    // The subjects asked about: random ones, whose references are hashed as the API does.
    const hasher = new SubjectRefHasher(secret);
    const asked = Array.from({ length: warmup + iterations }, () => 1 + Math.floor(Math.random() * subjects));
    await pool.query(
      `UPDATE "Subject" s SET "refHash" = u.hash FROM unnest($1::int[], $2::text[]) AS u(g, hash)
       WHERE s."id" = ${uuidOf('9000', 'u.g')}`,
      [asked, asked.map((g) => hasher.hash(c, `ref-${g}`))],
    );
    const [warm, sample] = [asked.slice(0, warmup), asked.slice(warmup)];

    const proofOf = (g: number) =>
      call(proofKey, proofQuery, { ref: `ref-${g}`, version: 1 + (g % versions) });
    const eligibilityOf = (g: number) => call(eligibilityKey, eligibilityQuery, { ref: `ref-${g}` });
    const statementsOf = async (work: () => Promise<unknown>) => {
      const statements = (await counter.measure(work)).statements.filter((sql) => !sql.includes('"ApiKey"'));
      if (process.env.BENCH_VERBOSE) for (const sql of statements) console.log(`  SQL: ${sql.slice(0, 300)}`);
      return statements.length;
    };
    const proofStatements = await statementsOf(() => proofOf(sample[0]!));
    const eligibilityStatements = await statementsOf(() => eligibilityOf(sample[0]!));

    const time = async (lookup: (g: number) => Promise<unknown>, subjectsAsked = sample) => {
      const spans: { started: number; ms: number; index: number }[] = [];
      // Garbage-collection pauses, to tell which of the slowest lookups waited for one.
      const pauses: { startTime: number; duration: number }[] = [];
      const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
      observer.observe({ entryTypes: ['gc'] });
      counter.spans.length = 0;
      const backendPids = (
        await pool.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
      ).rows.map((row: { pid: number }) => row.pid);
      const queued = sampleRunQueue(backendPids);
      const cpu = process.cpuUsage();
      for (const g of subjectsAsked) {
        const started = performance.now();
        await lookup(g);
        spans.push({ started, ms: performance.now() - started, index: spans.length });
      }
      const used = process.cpuUsage(cpu);
      const waited = describeRunQueue(queued, sampleRunQueue(backendPids), subjectsAsked.length);
      await new Promise((resolve) => setImmediate(resolve));
      observer.disconnect();
      const timings = spans.map(({ ms }) => ms).sort((a, b) => a - b);
      const slowest = spans.sort((a, b) => b.ms - a.ms).slice(0, Math.ceil(spans.length / 100));
      const pauseSpans = pauses.map(({ startTime, duration }) => ({
        start: startTime,
        end: startTime + duration,
      }));
      const pausedFor = ({ started, ms }: { started: number; ms: number }) =>
        pauseSpans.reduce((sum, pause) => sum + overlap({ start: started, end: started + ms }, pause), 0);
      const paused = slowest.filter((span) => pausedFor(span) > 0);
      // Where each of the slowest went: waiting for PostgreSQL (the driver's statements), paused
      // for garbage collection, and the rest (Node's own work and the scheduler).
      const attribution = slowest
        .map((span) => {
          const sql = counter.timeWithin({ start: span.started, end: span.started + span.ms }, pauseSpans);
          const gc = pausedFor(span);
          return `#${span.index + 1}: ${span.ms.toFixed(1)} = SQL ${sql.toFixed(1)} + GC ${gc.toFixed(1)} + rest ${(span.ms - sql - gc).toFixed(1)}`;
        })
        .join('; ');
      const p99 = percentile(timings, 99);
      const text =
        `p50 ${percentile(timings, 50).toFixed(2)} ms, p95 ${percentile(timings, 95).toFixed(2)} ms, ` +
        `p99 ${p99.toFixed(2)} ms; Node CPU ${((used.user + used.system) / 1000 / subjectsAsked.length).toFixed(2)} ms per lookup ` +
        `(user ${(used.user / 1000 / subjectsAsked.length).toFixed(2)}, system ${(used.system / 1000 / subjectsAsked.length).toFixed(2)}); ` +
        `${pauses.length} GC pauses (longest ${Math.max(0, ...pauses.map((pause) => pause.duration)).toFixed(2)} ms), ` +
        `${paused.length} of the slowest ${slowest.length} lookups waited for one` +
        (waited ? `\n    ${waited}` : '') +
        (counter.spans.length > 0 ? `\n    slowest ${slowest.length} (ms): ${attribution}` : '');
      return { text, p99 };
    };
    const prewarmed = prewarm ? await readIntoMemory(pool) : 'not read into memory first (BENCH_PREWARM=0)';
    for (const g of warm) await proofOf(g);
    for (const g of warm) await eligibilityOf(g);
    // One inspector session for both profiles, when either is asked for.
    const inspector = profilePath || heapProfilePath ? new Session() : null;
    inspector?.connect();
    if (inspector && profilePath) {
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    }
    if (inspector && heapProfilePath) {
      await inspector.post('HeapProfiler.enable');
      await inspector.post('HeapProfiler.startSampling', {
        samplingInterval: 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: !survivorsOnly,
      });
    }
    const loadBefore = loadavg()[0]!;
    const proofTimes = await time(proofOf);
    const eligibilityTimes = await time(eligibilityOf);
    const loadAfter = loadavg()[0]!;
    if (inspector && profilePath) {
      writeFileSync(profilePath, JSON.stringify((await inspector.post('Profiler.stop')).profile));
    }
    if (inspector && heapProfilePath) {
      writeFileSync(
        heapProfilePath,
        JSON.stringify((await inspector.post('HeapProfiler.stopSampling')).profile),
      );
    }
    inspector?.disconnect();
    // The statement alone, as the server's pool runs it (prepared by name), for subjects never
    // asked before (their reference hashes are the loaded ones): what PostgreSQL takes of a lookup.
    const askedBefore = new Set(asked);
    const fresh = Array.from({ length: iterations }, () => 1 + Math.floor(Math.random() * subjects)).filter(
      (g) => !askedBefore.has(g),
    );
    const statementOf = (name: string, sql: { text: string; values: unknown[] }) =>
      pool.query({ name, text: sql.text, values: sql.values });
    // With what the server remembers of the versions by now, as its statements are told (ADR 0053).
    const known = publishedVersionRows(database).known(c);
    const knownTexts = publishedVersionRows(database).knownTexts(c);
    const proofStatementTimes = await time(
      (g) =>
        statementOf(
          'bench_proof',
          proofFactsQuery(c, { refHash: `bench-${g}` }, 'privacy', 1 + (g % versions), knownTexts),
        ),
      fresh,
    );
    const eligibilityStatementTimes = await time(
      (g) =>
        statementOf(
          'bench_eligibility',
          subjectFactsQuery(c, 'li', new Date(), { refHash: `bench-${g}` }, known),
        ),
      fresh,
    );

    const subjectId = (await pool.query(`SELECT ${uuidOf('9000', '$1::int')} AS id`, [sample[0]])).rows[0]
      .id as string;
    const explain = async (label: string, sql: { text: string; values: unknown[] }) => {
      const plan = await pool.query(
        `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql.text}`,
        sql.values,
      );
      console.log(`\nplan of ${label}:`);
      for (const row of plan.rows as { 'QUERY PLAN': string }[]) console.log(`  ${row['QUERY PLAN']}`);
    };

    const analysed = (
      await pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_user_tables
         WHERE coalesce(last_analyze, last_autoanalyze) IS NOT NULL AND relname IN ('Subject', 'Notification', 'NotificationEvent', 'Response')`,
      )
    ).rows[0].n as number;
    console.log(
      `PostgreSQL, ${analysed === 0 ? 'never analysed' : `${analysed} of the 4 large tables analysed (by autovacuum)`}: ` +
        `${subjects.toLocaleString('en')} subjects, ${(subjects * versions).toLocaleString('en')} notifications ` +
        `(${versions} versions each), as many events, loaded in ${loaded.toFixed(0)} s` +
        (loadedBefore
          ? ` by an earlier run (database ${name} reused)`
          : keptName
            ? ` (database ${name} kept)`
            : '') +
        `; ${prewarmed}`,
    );
    console.log(
      `lookups one at a time (concurrency 1) through the GraphQL handler in process, after ${warmup} warm-up lookups of each kind; ` +
        `latency from building the request to the parsed JSON answer; Node CPU of the whole process (server and the bench's client side)`,
    );
    console.log(
      `proof of notification: ${proofStatements} SQL statements per lookup (API-key lookup not counted)`,
    );
    console.log(`  latency over ${iterations} lookups: ${proofTimes.text}`);
    console.log(
      `eligibility: ${eligibilityStatements} SQL statements per lookup (API-key lookup not counted)`,
    );
    console.log(`  latency over ${iterations} lookups: ${eligibilityTimes.text}`);
    console.log(
      `the lookup's one statement alone (node-postgres, prepared by name as the server's pool runs it), for ${fresh.length} other subjects never asked before:`,
    );
    console.log(`  proof: ${proofStatementTimes.text}`);
    console.log(`  eligibility: ${eligibilityStatementTimes.text}`);
    console.log(`load average (1 min): ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
    const target = (statements: number, p99: number) =>
      `${statements} statements (≤ 3: ${statements <= 3 ? 'met' : 'NOT met'}), p99 ${p99.toFixed(2)} ms (< 5 ms: ${p99 < 5 ? 'met' : 'NOT met'})`;
    console.log(
      `targets at ${(subjects * versions).toLocaleString('en')} notifications: proof ${target(proofStatements, proofTimes.p99)}; ` +
        `eligibility ${target(eligibilityStatements, eligibilityTimes.p99)}`,
    );
    if (process.env.BENCH_PLANS === '0') {
      await database.close();
      return;
    }
    await explain('the subject lookup', {
      text: 'SELECT * FROM "Subject" WHERE "controllerId" = $1 AND "refHash" = $2',
      values: [c, hasher.hash(c, `ref-${sample[0]}`)],
    });
    const refHash = hasher.hash(c, `ref-${sample[0]}`);
    await explain(
      'the proof lookup (subject and facts)',
      proofFactsQuery(c, { refHash }, 'privacy', 1, knownTexts),
    );
    await explain(
      'the proof facts by subject ID',
      proofFactsQuery(c, { id: subjectId }, 'privacy', 1, knownTexts),
    );
    await explain(
      'the eligibility lookup (subject and facts)',
      subjectFactsQuery(c, 'li', new Date(), { refHash }, known),
    );
    await explain(
      'the eligibility facts by subject ID',
      subjectFactsQuery(c, 'li', new Date(), [subjectId], known),
    );
    await database.close();
  } finally {
    await pool.end();
    if (keptName === undefined) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
