import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
} from '@prisma/driver-adapter-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createPostgresAdapterFactory } from '../../../src/db/adapters.js';
import { databaseFromFactory, poolFromUrl } from '../../../src/db/database.js';
import { classifyDatabaseFailure } from '../../../src/db/database-failure.js';
import { maskUnexpectedError } from '../../../src/graphql/mask-errors.js';
import { createLogger } from '../../../src/log/logger.js';
import type { Viewer } from '../../../src/modules/access/access.policy.js';
import {
  EligibilityService,
  type ManifestChunking,
} from '../../../src/modules/eligibility/eligibility.service.js';
import { type ReachRead, rangePlanSettings } from '../../../src/modules/eligibility/eligibility.sql.js';
import { graphql } from '../../graphql/index.js';
import { execute, expectData } from '../../support/client.js';
import { makeKey, makeTenant } from '../../support/factories.js';
import { publishedNotice } from '../../support/notice-fixtures.js';
import { useTestApp } from '../../support/test-app.js';
import { testTarget } from '../../support/test-database.js';
import { heavyTestTimeout } from '../../support/timeouts.js';

const ManifestScalePurpose = graphql(`
  query ManifestScalePurpose($key: String!) {
    purpose(key: $key) {
      key
    }
  }
`);

const subjects = 3_000;
const day = 24 * 60 * 60 * 1000;

/** The statements a database sends, with their parameters, so that the test can EXPLAIN them. */
function recording(statements: SqlQuery[]) {
  const record = <T extends SqlQueryable>(target: T): T => {
    const queryRaw = target.queryRaw.bind(target);
    target.queryRaw = (query) => {
      statements.push(query);
      return queryRaw(query);
    };
    return target;
  };
  // Statements in transactions too: each range runs in one, after its planner settings.
  const recordAdapter = (target: SqlDriverAdapter): SqlDriverAdapter => {
    const startTransaction = target.startTransaction.bind(target);
    target.startTransaction = async (isolationLevel) => record(await startTransaction(isolationLevel));
    return record(target);
  };
  return (factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory =>
    Object.assign(Object.create(factory), { connect: async () => recordAdapter(await factory.connect()) });
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

function* nodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodes(child);
}

/** Rows each table's scans read, over all loops (kept and filtered out). */
function rowsRead(plan: PlanNode): Map<string, number> {
  const read = new Map<string, number>();
  for (const node of nodes(plan)) {
    const table = node['Relation Name'];
    if (!table) continue;
    const perLoop =
      node['Actual Rows'] +
      (node['Rows Removed by Filter'] ?? 0) +
      (node['Rows Removed by Index Recheck'] ?? 0);
    read.set(table, (read.get(table) ?? 0) + perLoop * node['Actual Loops']);
  }
  return read;
}

describe('eligibility manifests at scale, on tables that were never analysed', () => {
  const t = useTestApp();
  let controllerId: string;
  let keys: Awaited<ReturnType<typeof makeTenant>>['keys'];
  let viewer: Viewer;
  const at = new Date(Date.now() + 60 * day);

  beforeAll(async () => {
    const tenant = await makeTenant(t.database.prisma);
    controllerId = tenant.controller.id;
    keys = tenant.keys;
    await publishedNotice(t.app, keys.EDITOR, 'scale-n', 'p-li');
    const version = await t.database.prisma.noticeVersion.findFirstOrThrow({ where: { controllerId } });
    const purpose = await t.database.prisma.purpose.findFirstOrThrow({ where: { controllerId } });
    const [batch] = (await t.database.sql(
      `INSERT INTO "NotificationBatch" ("id", "controllerId", "itemCount", "itemsHash")
       VALUES (gen_random_uuid(), $1::uuid, 0, '') RETURNING "id"::text AS id`,
      [controllerId],
    )) as { id: string }[];
    const subject = `md5($1::text || '-' || g)::uuid`;
    const series = `generate_series(1, ${subjects}) g`;
    // Half by e-mail (80 % delivered), half in-app (half displayed); every 25th objected;
    // every 100th erased. Loaded set-based and not analysed, as after a bulk load.
    await t.database.sql(
      `INSERT INTO "Subject" ("id", "controllerId", "refHash", "erasedAt")
       SELECT ${subject}, $1::uuid, 'scale-' || g, CASE WHEN g % 100 = 1 THEN now() END FROM ${series}`,
      [controllerId],
    );
    await t.database.sql(
      `INSERT INTO "Notification" ("id", "controllerId", "subjectId", "versionId", "channel", "locale",
         "occurredAt", "idempotencyKey", "contentHash", "batchId")
       SELECT gen_random_uuid(), $1::uuid, ${subject}, $2::uuid,
         (CASE WHEN g % 2 = 0 THEN 'EMAIL' ELSE 'IN_APP' END)::"NotificationChannel", 'en', now(),
         'scale-' || g, md5('scale-' || g), $3::uuid
       FROM ${series}`,
      [controllerId, version.id, batch!.id],
    );
    await t.database.sql(
      `INSERT INTO "NotificationEvent" ("id", "controllerId", "notificationKey", "type", "occurredAt")
       SELECT gen_random_uuid(), $1::uuid, 'scale-' || g, e.type::"NotificationEventType", now()
       FROM ${series}
       CROSS JOIN LATERAL (VALUES ('SENT', true), ('DELIVERED', g % 2 = 0 AND g % 10 < 8),
         ('DISPLAYED', g % 2 = 1 AND g % 10 < 5)) AS e(type, occurs)
       WHERE e.occurs`,
      [controllerId],
    );
    await t.database.sql(
      `INSERT INTO "Response" ("id", "controllerId", "subjectId", "purposeId", "kind", "occurredAt", "channel",
         "idempotencyKey", "contentHash")
       SELECT gen_random_uuid(), $1::uuid, ${subject}, $2::uuid, 'OBJECTED', now(), 'WEB_BANNER',
         'scale-o-' || g, md5('scale-o-' || g)
       FROM ${series} WHERE g % 25 = 0`,
      [controllerId, purpose.id],
    );
    viewer = {
      apiKeyId: (await makeKey(t.database.prisma, controllerId, 'AUDITOR')).id,
      keyName: 'scale',
      role: 'AUDITOR',
      controllerId,
    };
  }, heavyTestTimeout);

  const service = (chunking: ManifestChunking) => new EligibilityService(t.database, viewer, chunking);

  it('the tables have no statistics', async () => {
    const analysed = await t.database.sql(
      `SELECT relname FROM pg_stat_user_tables
       WHERE relname IN ('Subject', 'Notification', 'NotificationEvent', 'Response')
         AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)`,
    );
    expect(analysed).toEqual([]);
  });

  /** The manifest's range statements, each run again under `EXPLAIN (ANALYZE)` as the manifest runs it. */
  async function explainRanges(statements: SqlQuery[], reach: ReachRead) {
    const ranges = statements.filter((statement) => statement.sql.includes('string_agg'));
    const total = new Map<string, number>();
    const plans: PlanNode[] = [];
    const adapter = await t.database.factory.connect();
    for (const statement of ranges) {
      // In a transaction, after the range's planner settings.
      const tx = await adapter.startTransaction();
      await tx.executeRaw({ sql: rangePlanSettings(reach).sql, args: [], argTypes: [] });
      const result = await tx.queryRaw({
        ...statement,
        sql: `EXPLAIN (ANALYZE, FORMAT JSON) ${statement.sql}`,
      });
      await tx.rollback();
      const explained = result.rows[0]![0] as [{ Plan: PlanNode }] | string;
      const plan = (typeof explained === 'string' ? JSON.parse(explained) : explained)[0].Plan as PlanNode;
      for (const [table, read] of rowsRead(plan)) total.set(table, (total.get(table) ?? 0) + read);
      plans.push(plan);
    }
    await adapter.dispose();
    const all = plans.flatMap((plan) => [...nodes(plan)]);
    // Events only through the index of reach-capable events by notification key, never a scan of
    // the table; erasures by their own index, not by reading the range's subjects.
    for (const node of all) {
      if (node['Relation Name'] === 'NotificationEvent') expect(node['Node Type']).toMatch(/^(Index|Bitmap)/);
      if (node['Node Type'].endsWith('Index Scan') && node['Index Name']?.startsWith('NotificationEvent'))
        expect(node['Index Name']).toBe('NotificationEvent_reach_idx');
      if (node['Node Type'].endsWith('Index Scan') && node['Index Name']?.startsWith('Subject'))
        expect(node['Index Name']).toBe('Subject_erased_idx');
    }
    expect(all.map((node) => node['Index Name'])).toEqual(
      expect.arrayContaining(['NotificationEvent_reach_idx', 'Subject_erased_idx']),
    );
    return { ranges: ranges.length, total, nodeTypes: new Set(all.map((node) => node['Node Type'])) };
  }

  /** The manifest's eligible subjects with `chunking`, and the statements it sent. */
  async function rangedRun(chunking: ManifestChunking, knownAt: Date) {
    const statements: SqlQuery[] = [];
    const recorded = databaseFromFactory(t.database.kind, t.database.factory, async () => {}, {
      wrapFactory: recording(statements),
    });
    const ids = await new EligibilityService(recorded, viewer, chunking).eligibleSubjectIds(
      'p-li',
      at,
      knownAt,
    );
    await recorded.prisma.$disconnect();
    return { ids, statements };
  }

  const wholeRun = (knownAt: Date) =>
    service({
      subjectsPerRange: 1_000_000,
      inFlight: 1,
      splitFrom: 1_000_000,
      reach: 'probe',
    }).eligibleSubjectIds('p-li', at, knownAt);

  it('probing: reads every notification, event and response at most once over all ranges, and the ranges add up to one statement', async () => {
    const knownAt = new Date();
    const { ids, statements } = await rangedRun(
      { subjectsPerRange: 500, inFlight: 1, splitFrom: 501, reach: 'probe' },
      knownAt,
    );
    const whole = await wholeRun(knownAt);
    // 3,000 subjects: 1,500 e-mail (1,200 delivered) + 1,500 in-app (750 displayed), less
    // objections and erasures among them.
    expect(ids).toEqual(whole);
    expect(ids.length).toBeGreaterThan(1_500);
    expect(ids.length).toBeLessThan(1_950);

    const { ranges, total } = await explainRanges(statements, 'probe');
    expect(ranges).toBe(6);
    // One subject's records lie in one range; each is read once (objections also once per
    // EXCEPT that reads them: at most twice).
    expect(total.get('NotificationEvent')).toBeLessThanOrEqual(subjects * 2);
    expect(total.get('Notification')).toBeLessThanOrEqual(subjects);
    expect(total.get('Response') ?? 0).toBeLessThanOrEqual(2 * (subjects / 25));
    expect(total.get('Subject')).toBeLessThanOrEqual(subjects);
  });

  it('joining: hash joins only, the reach-capable events once per range, and the same subjects as one statement', async () => {
    const knownAt = new Date();
    const { ids, statements } = await rangedRun(
      { subjectsPerRange: 1_000, inFlight: 2, splitFrom: 1, reach: 'join' },
      knownAt,
    );
    expect(ids).toEqual(await wholeRun(knownAt));

    const { ranges, total, nodeTypes } = await explainRanges(statements, 'join');
    // 3,000 subjects, 1,000 at most per range, in a multiple of the 2 in flight.
    expect(ranges).toBe(4);
    expect(nodeTypes).toContain('Hash Join');
    expect(nodeTypes).not.toContain('Nested Loop');
    expect(nodeTypes).not.toContain('Merge Join');
    const [{ capable }] = (await t.database.sql(
      `SELECT count(*)::int AS capable FROM "NotificationEvent"
       WHERE "controllerId" = $1 AND "type" IN ('DELIVERED', 'OPENED', 'ACKNOWLEDGED', 'DISPLAYED', 'DISMISSED')`,
      [controllerId],
    )) as [{ capable: number }];
    expect(total.get('NotificationEvent')).toBeLessThanOrEqual(ranges * capable);
    expect(total.get('Notification')).toBeLessThanOrEqual(subjects);
    expect(total.get('Response') ?? 0).toBeLessThanOrEqual(2 * (subjects / 25));
    expect(total.get('Subject')).toBeLessThanOrEqual(subjects);
  });

  it('another request is answered between the ranges of a long manifest', async () => {
    const order: string[] = [];
    let others: Promise<void> | null = null;
    const manifest = await service({
      subjectsPerRange: 150,
      inFlight: 1,
      splitFrom: 151,
      reach: 'probe',
    }).createManifest('p-li', at, {
      onProgress: (done, total) => {
        order.push(`range ${done}/${total}`);
        others ??= Promise.all([
          t.app.fetch(new Request('http://notarium.test/healthz')).then((response) => {
            expect(response.status).toBe(200);
            order.push('healthz');
          }),
          execute(t.app, ManifestScalePurpose, { key: keys.READER, variables: { key: 'p-li' } }).then(
            (response) => {
              expect(expectData(response).purpose?.key).toBe('p-li');
              order.push('graphql');
            },
          ),
        ]).then(() => {});
      },
    });
    order.push('manifest');
    await others;
    expect(manifest.eligible).toBeGreaterThan(0);
    const last = order.indexOf('range 20/20');
    expect(last, order.join(', ')).toBeGreaterThan(0);
    expect(order.indexOf('healthz'), order.join(', ')).toBeLessThan(last);
    expect(order.indexOf('graphql'), order.join(', ')).toBeLessThan(last);
  });

  it('an abandoned request stops at the next range and stores nothing', async () => {
    const abandoned = new AbortController();
    const stored = await t.database.prisma.eligibilityManifest.count({ where: { controllerId } });
    let ranges = 0;
    await expect(
      service({ subjectsPerRange: 150, inFlight: 1, splitFrom: 151, reach: 'probe' }).createManifest(
        'p-li',
        at,
        {
          signal: abandoned.signal,
          onProgress: () => {
            ranges++;
            abandoned.abort();
          },
        },
      ),
    ).rejects.toThrow(/abort/i);
    expect(ranges).toBe(1);
    expect(await t.database.prisma.eligibilityManifest.count({ where: { controllerId } })).toBe(stored);
  });
});

describe.runIf(testTarget === 'postgres')('statement timeout (PostgreSQL)', () => {
  const t = useTestApp();

  it('stops a statement that runs longer, on the server, with a coded error', async () => {
    const pool = poolFromUrl(t.database.url!, 1, 200);
    const database = databaseFromFactory('postgres', createPostgresAdapterFactory(pool), () => pool.end());
    // Another session holds a lock the probe waits for and never releases it while the probe
    // runs: only the statement timeout can end the probe, however slow the machine is.
    const holder = poolFromUrl(t.database.url!, 1, 0);
    const lock = await holder.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT pg_advisory_xact_lock(724201)');
    try {
      const error = await database.prisma
        .$queryRaw`SELECT pg_advisory_lock(724201), 'notarium-timeout-probe'`.then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(classifyDatabaseFailure(error)).toBe('STATEMENT_TIMEOUT');
      const masked = maskUnexpectedError(createLogger('error', () => {}))(error);
      expect(masked).toMatchObject({ extensions: { code: 'STATEMENT_TIMEOUT', retryAfterSeconds: 30 } });
      const running = await t.database.sql(
        `SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%notarium-timeout-probe%'
           AND query NOT LIKE '%pg_stat_activity%'`,
      );
      expect(running).toEqual([]);
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
      await holder.end();
      await database.close();
    }
  });
});
