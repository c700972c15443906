/**
 * Evidence bundle export and offline verification at volume. Prints its figures; asserts nothing.
 *
 * Fills a fresh database with BENCH_NOTIFICATIONS notifications (default 1,000,000), one subject and
 * one DELIVERED event each and a response for every BENCH_RESPONSE_EVERY-th (20), with set-based
 * SQL whose record hashes are the real ones (so the bundle verifies); exports the whole controller
 * to a file; then verifies it. Prints rows/s, peak RSS while exporting and while verifying (sampled
 * every 20 ms, plus the process's VmHWM), the file size and the verification time.
 *
 * PostgreSQL by default (BENCH_DATABASE_URL, a server URL; the bench creates and drops its own
 * database); BENCH_DATABASE=pglite for embedded PGlite. BENCH_KEEP_FILE=1 keeps the bundle,
 * BENCH_KEEP_DATABASE=1 the PostgreSQL database.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { createApp } from '../src/app.js';
import { createPgliteAdapterFactory, createPostgresAdapterFactory } from '../src/db/adapters.js';
import { type Database, databaseFromFactory, poolFromUrl } from '../src/db/database.js';
import { deployMigrations } from '../src/db/migrations.js';
import { isoUtc } from '../src/db/raw-sql.js';
import { Prisma } from '../src/generated/prisma/client.js';
import { createLogger } from '../src/log/logger.js';
import { issueApiKey } from '../src/modules/api-key/api-key.service.js';
import { createController } from '../src/modules/controller/controller.service.js';
import { exportBundle } from '../src/modules/evidence/export-bundle.js';
import { getOrCreateSigningKey } from '../src/modules/evidence/signing-key.js';
import { verifyBundle } from '../src/modules/evidence/verify-bundle.js';
import { notificationFormatV2, responseFormatV2 } from '../src/modules/notification/record-hash.js';
import { graphqlCall, publishBenchVersion } from './notice-seed.js';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const notifications = Number(process.env.BENCH_NOTIFICATIONS ?? 1_000_000);
const responseEvery = Number(process.env.BENCH_RESPONSE_EVERY ?? 20);
const chunk = 250_000;

async function openBenchDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (process.env.BENCH_DATABASE === 'pglite') {
    const pglite = new PGlite();
    await deployMigrations(createPgliteAdapterFactory(pglite));
    const database = databaseFromFactory('embedded', createPgliteAdapterFactory(pglite), () =>
      pglite.close(),
    );
    return { database, drop: async () => {} };
  }
  const name = `notarium_bench_${randomBytes(4).toString('hex')}`;
  const admin = poolFromUrl(serverUrl, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = poolFromUrl(url.toString(), 4);
  await deployMigrations(createPostgresAdapterFactory(pool));
  const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end());
  return {
    database,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Peak resident set size while `work` runs, sampled, in MiB. */
async function withPeakRss<T>(
  work: () => Promise<T>,
): Promise<{ result: T; peakMiB: number; seconds: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMiB: peak / 2 ** 20, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

const vmHwmMiB = () => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
};

const mib = (value: number) => `${value.toFixed(0)} MiB`;
const sha256Hex = (text: Prisma.Sql) => Prisma.sql`encode(sha256(convert_to(${text}, 'UTF8')), 'hex')`;
const at = isoUtc(Prisma.sql`t.at`);

async function main() {
  const { database, drop } = await openBenchDatabase();
  try {
    await run(database);
  } finally {
    await database.close();
    if (process.env.BENCH_KEEP_DATABASE) console.log('database kept (BENCH_KEEP_DATABASE)');
    else await drop();
  }
}

async function run(database: Database) {
  const prisma = database.prisma;
  const app = createApp({ config: { environment: 'production' }, database, logger: createLogger('silent') });
  const controller = await createController(prisma, {
    slug: 'bench',
    name: 'Bench',
    legalName: 'Bench Ltd',
    contactEmail: 'b@bench.example',
  });
  const key = async (role: 'EDITOR' | 'NOTIFIER') =>
    (await issueApiKey(prisma, controller.id, { name: role, role })).secret;
  const editor = await key('EDITOR');
  const notifier = await key('NOTIFIER');
  const call = graphqlCall(app);

  await call(editor, 'mutation($i: CreatePurposeInput!) { createPurpose(input: $i) { __typename } }', {
    i: {
      key: 'ai-training',
      content: {
        name: 'AI training',
        description: 'Training language models on public posts.',
        legalBasis: 'LEGITIMATE_INTERESTS',
        legitimateInterest: 'Improving our services',
        dataCategories: ['public posts'],
        dataSubjectCategories: ['users'],
        recipients: ['none'],
        retentionPeriodDays: 365,
      },
    },
  });
  await call(
    editor,
    'mutation { createNotice(input: { key: "ai-notice", title: "AI", defaultLocale: "en", requiredLocales: ["de"] }) { __typename } }',
  );
  await publishBenchVersion(call, editor, {
    noticeKey: 'ai-notice',
    purposeKeys: ['ai-training'],
    translations: ['en', 'de'].map((locale) => ({
      locale,
      title: `AI training (${locale})`,
      body: 'We will use your public posts to train language models. '.repeat(40),
    })),
    changeSummary: 'Introduces AI training',
    effectiveFrom: new Date().toISOString(),
  });
  // One notification through the API, for a real batch row the generated ones can point to.
  await call(
    notifier,
    'mutation($i: RecordNotificationsInput!) { recordNotifications(input: $i) { __typename } }',
    {
      i: {
        items: [
          {
            subjectRef: 'api-subject',
            noticeKey: 'ai-notice',
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
  const [ids] = await prisma.$queryRaw<{ batchId: string; purposeId: string; versionId: string }[]>`
    SELECT n."batchId"::text AS "batchId", n."versionId"::text AS "versionId",
      (SELECT "id"::text FROM "Purpose" WHERE "key" = 'ai-training') AS "purposeId"
    FROM "Notification" n WHERE n."idempotencyKey" = 'api-1'`;
  const { batchId, purposeId, versionId } = ids!;

  const generation = performance.now();
  const c = controller.id;
  for (let low = 1; low <= notifications; low += chunk) {
    const high = Math.min(notifications, low + chunk - 1);
    await prisma.$executeRaw`
      INSERT INTO "Subject" ("id", "controllerId", "refHash", "jurisdiction", "locale")
      SELECT gen_random_uuid(), ${c}::uuid, 'bench-subject-' || g, 'DE', 'de'
      FROM generate_series(${low}::int, ${high}::int) g`;
    await prisma.$executeRaw`
      INSERT INTO "Notification" ("id", "controllerId", "subjectId", "versionId", "channel", "locale", "occurredAt",
        "idempotencyKey", "contentHash", "jurisdiction", "batchId")
      SELECT gen_random_uuid(), ${c}::uuid, s."id", ${versionId}::uuid, 'EMAIL', 'en', t.at, 'bench-n-' || g,
        ${sha256Hex(Prisma.sql`'{"campaign":null,"channel":"EMAIL","format":"' || ${notificationFormatV2}::text || '","locale":"en","occurredAt":"' || ${at} || '","subject":"' || s."id"::text || '","template":null,"version":"' || ${versionId}::text || '"}'`)},
        'DE', ${batchId}::uuid
      FROM generate_series(${low}::int, ${high}::int) g
      JOIN "Subject" s ON s."controllerId" = ${c}::uuid AND s."refHash" = 'bench-subject-' || g
      CROSS JOIN LATERAL (SELECT date_trunc('milliseconds', now() - interval '1 day' - g * interval '7 milliseconds') AS at) t`;
  }
  await prisma.$executeRaw`
    INSERT INTO "NotificationEvent" ("id", "controllerId", "notificationKey", "type", "occurredAt", "detail")
    SELECT gen_random_uuid(), n."controllerId", n."idempotencyKey", 'DELIVERED', n."occurredAt" + interval '2 seconds', 'smtp 250'
    FROM "Notification" n WHERE n."controllerId" = ${c}::uuid`;
  await prisma.$executeRaw`
    INSERT INTO "Response" ("id", "controllerId", "subjectId", "purposeId", "kind", "occurredAt", "channel",
      "versionId", "idempotencyKey", "contentHash")
    SELECT gen_random_uuid(), n."controllerId", n."subjectId", ${purposeId}::uuid, 'OBJECTED', t.at, 'WEB_BANNER',
      n."versionId", 'bench-r-' || n."idempotencyKey",
      ${sha256Hex(Prisma.sql`'{"channel":"WEB_BANNER","format":"' || ${responseFormatV2}::text || '","kind":"OBJECTED","occurredAt":"' || ${at} || '","purpose":"' || ${purposeId}::text || '","subject":"' || s."id"::text || '","version":"' || n."versionId" || '"}'`)}
    FROM "Notification" n JOIN "Subject" s ON s."id" = n."subjectId"
    CROSS JOIN LATERAL (SELECT n."occurredAt" + interval '1 minute' AS at) t
    WHERE n."controllerId" = ${c}::uuid AND n."idempotencyKey" LIKE 'bench-n-%'
      AND substr(n."idempotencyKey", 9)::int % ${responseEvery}::int = 0`;
  await prisma.$executeRaw`ANALYZE`;
  const generated = (performance.now() - generation) / 1000;
  const [counts] = await prisma.$queryRaw<{ n: number; e: number; r: number; a: number }[]>`
    SELECT (SELECT count(*)::int FROM "Notification") AS n, (SELECT count(*)::int FROM "NotificationEvent") AS e,
      (SELECT count(*)::int FROM "Response") AS r, (SELECT count(*)::int FROM "AuditEntry") AS a`;
  console.log(
    `database: ${database.kind}; generated ${counts!.n.toLocaleString('en-US')} notifications, ` +
      `${counts!.e.toLocaleString('en-US')} events, ${counts!.r.toLocaleString('en-US')} responses ` +
      `(${counts!.a} audit entries) in ${generated.toFixed(1)} s`,
  );

  const signingKey = await getOrCreateSigningKey(database, c);
  const file = join(tmpdir(), `notarium-bench-bundle-${randomBytes(4).toString('hex')}.ndjson`);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss / 2 ** 20;
  const exported = await withPeakRss(async () => {
    const output = createWriteStream(file);
    const summary = await exportBundle(database, { controllerId: c, scope: {}, signingKey }, output);
    output.end();
    await finished(output);
    return summary;
  });
  const size = (await stat(file)).size;
  const records = exported.result.parts
    .filter((part) => part.name.endsWith('.jsonl'))
    .reduce((sum, part) => sum + part.records, 0);
  const notificationCount =
    exported.result.parts.find((part) => part.name === 'notifications.jsonl')?.records ?? 0;
  console.log(
    `export: ${exported.seconds.toFixed(1)} s; ${Math.round(records / exported.seconds).toLocaleString('en-US')} records/s ` +
      `(${Math.round(notificationCount / exported.seconds).toLocaleString('en-US')} notifications/s over ` +
      `${records.toLocaleString('en-US')} JSON records, each also as a CSV row)`,
  );
  console.log(
    `export memory: RSS ${mib(rssBefore)} before, peak ${mib(exported.peakMiB)} (+${mib(exported.peakMiB - rssBefore)}) sampled`,
  );
  console.log(`file: ${(size / 2 ** 20).toFixed(1)} MiB (${size.toLocaleString('en-US')} bytes) at ${file}`);
  for (const part of exported.result.parts) {
    console.log(
      `  ${part.name.padEnd(22)} ${part.records.toLocaleString('en-US').padStart(11)} records ${(part.bytes / 2 ** 20).toFixed(1).padStart(8)} MiB`,
    );
  }

  global.gc?.();
  const rssBeforeVerify = process.memoryUsage().rss / 2 ** 20;
  const verified = await withPeakRss(() => verifyBundle(file, { expectedKey: signingKey.keyId }));
  console.log(
    `verify: ${verified.result.valid ? 'VALID' : `INVALID (${verified.result.problems.slice(0, 5).join(' | ')})`} in ` +
      `${verified.seconds.toFixed(1)} s (${Math.round(verified.result.lines / verified.seconds).toLocaleString('en-US')} lines/s); ` +
      `RSS ${mib(rssBeforeVerify)} before, peak ${mib(verified.peakMiB)} sampled`,
  );
  console.log(
    `process VmHWM (whole run, includes generation and, on PGlite, the database): ${mib(vmHwmMiB())}`,
  );

  if (!process.env.BENCH_KEEP_FILE) await rm(file, { force: true });
  // The generated records are hashed as the service would: a bundle that does not verify is a bug.
  if (!verified.result.valid) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
