import type { Database } from '../../db/database.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { type Actor, appendAudit } from '../audit/audit.service.js';
import { subjectUnderLegalHold } from './legal-hold.js';
import { retentionCutoff } from './retention.policy.js';
import { lastProcessedBefore, objectionPending } from './retention.sql.js';

type Tx = Prisma.TransactionClient;

/** Subjects read, decided and purged per transaction: bounds each statement and each transaction. */
export const defaultChunkSize = 5_000;

export interface PurgeCounts {
  readonly subjects: number;
  readonly notifications: number;
  readonly events: number;
  readonly responses: number;
  readonly objectionCases: number;
}

export interface PurgeReport extends PurgeCounts {
  readonly controllerId: string;
  readonly dryRun: boolean;
  /** The controller's setting; null: no schedule, nothing is ever due. */
  readonly retentionMonths: number | null;
  /** Records of people whose last processing is before this instant are due; null without a schedule. */
  readonly cutoff: Date | null;
  /** Due by time but kept: named in an open regulator request (Art. 17(3)(e)). */
  readonly heldForLegalHold: number;
  /** Due by time but kept: an objection case still open (Art. 21(1)). */
  readonly heldForOpenObjection: number;
}

export interface PurgeOptions {
  readonly actor: Actor;
  /** Count what is due without deleting or recording anything. */
  readonly dryRun?: boolean;
  readonly now?: Date;
  readonly chunkSize?: number;
}

const none: PurgeCounts = { subjects: 0, notifications: 0, events: 0, responses: 0, objectionCases: 0 };

const add = (a: PurgeCounts, b: PurgeCounts): PurgeCounts => ({
  subjects: a.subjects + b.subjects,
  notifications: a.notifications + b.notifications,
  events: a.events + b.events,
  responses: a.responses + b.responses,
  objectionCases: a.objectionCases + b.objectionCases,
});

/**
 * Applies the controller's retention schedule (docs/retention.md): deletes the proof records of
 * every person whose last processing is before now − `proofRetentionMonths`, whole people only,
 * except those on legal hold or with an open objection, which are counted as held. Reads the
 * subjects in chunks (by reference hash, the index there is); each chunk's deletion is one
 * transaction with its `retention:purge` audit entry, and the run ends with a `retention:run`
 * entry of the totals. Audit entries hold counts, never a subject, and are dated by the real
 * clock whatever `now` says. A dry run writes nothing.
 */
export async function purgeExpiredRecords(
  database: Database,
  controllerId: string,
  options: PurgeOptions,
): Promise<PurgeReport> {
  const { actor, dryRun = false, now = new Date(), chunkSize = defaultChunkSize } = options;
  const controller = await database.prisma.controller.findUnique({
    where: { id: controllerId },
    select: { proofRetentionMonths: true },
  });
  if (controller === null) throw new NotFoundError('Controller', controllerId);
  const retentionMonths = controller.proofRetentionMonths;
  const report = { controllerId, dryRun, retentionMonths, heldForLegalHold: 0, heldForOpenObjection: 0 };
  if (retentionMonths === null) return { ...report, cutoff: null, ...none };
  const cutoff = retentionCutoff(now, retentionMonths);
  const setting = { cutoff: cutoff.toISOString(), retentionMonths };
  let totals = none;
  let after: string | null = null;
  for (;;) {
    const window = await dueInWindow(database.prisma, controllerId, cutoff, after, chunkSize);
    if (window.scanned === 0) break;
    after = window.last;
    report.heldForLegalHold += window.heldForLegalHold;
    report.heldForOpenObjection += window.heldForOpenObjection;
    if (window.due.length > 0) {
      const counts = dryRun
        ? await countRecords(database.prisma, window.due, cutoff)
        : await purgeSubjects(database, controllerId, window.due, cutoff, actor, setting);
      totals = add(totals, counts);
    }
    if (window.scanned < chunkSize) break;
  }
  if (!dryRun) {
    await database.prisma.$transaction((tx) =>
      appendAudit(tx, actor, {
        action: 'retention:run',
        targetType: 'Controller',
        targetId: controllerId,
        details: {
          ...setting,
          ...totals,
          heldForLegalHold: report.heldForLegalHold,
          heldForOpenObjection: report.heldForOpenObjection,
        },
      }),
    );
  }
  return { ...report, cutoff, ...totals };
}

interface Window {
  readonly scanned: number;
  /** The last reference hash read: the next window starts after it. Never leaves this module. */
  readonly last: string | null;
  readonly due: string[];
  readonly heldForLegalHold: number;
  readonly heldForOpenObjection: number;
}

/** The next `size` subjects after `after` (by reference hash), and which of them are due or held. */
async function dueInWindow(
  sql: Tx | Database['prisma'],
  controllerId: string,
  cutoff: Date,
  after: string | null,
  size: number,
): Promise<Window> {
  const rows = await sql.$queryRaw<
    { id: string; refHash: string; expired: boolean; legalHold: boolean; objectionPending: boolean }[]
  >`
    SELECT s."id"::text AS id, s."refHash", ${lastProcessedBefore(cutoff)} AS expired,
      ${subjectUnderLegalHold} AS "legalHold", ${objectionPending} AS "objectionPending"
    FROM (
      SELECT * FROM "Subject"
      WHERE "controllerId" = ${controllerId}::uuid AND "refHash" > ${after ?? ''}
      ORDER BY "refHash" LIMIT ${size}
    ) s
    ORDER BY s."refHash"`;
  const expired = rows.filter((row) => row.expired);
  return {
    scanned: rows.length,
    last: rows.at(-1)?.refHash ?? null,
    due: expired.filter((row) => !row.legalHold && !row.objectionPending).map((row) => row.id),
    heldForLegalHold: expired.filter((row) => row.legalHold).length,
    heldForOpenObjection: expired.filter((row) => !row.legalHold && row.objectionPending).length,
  };
}

/** What deleting these subjects would delete (a dry run). */
async function countRecords(
  sql: Database['prisma'],
  ids: readonly string[],
  cutoff: Date,
): Promise<PurgeCounts> {
  const list = [...ids];
  const [row] = await sql.$queryRaw<Record<keyof PurgeCounts, number>[]>`
    SELECT
      (SELECT count(*)::int FROM "Subject" WHERE "id" = ANY(${list}::uuid[])) AS subjects,
      (SELECT count(*)::int FROM "Notification" WHERE "subjectId" = ANY(${list}::uuid[])) AS notifications,
      (SELECT count(*)::int FROM "Notification" n
        JOIN "NotificationEvent" e ON e."controllerId" = n."controllerId" AND e."notificationKey" = n."idempotencyKey"
        WHERE n."subjectId" = ANY(${list}::uuid[]) AND e."occurredAt" < ${cutoff}::timestamptz) AS events,
      (SELECT count(*)::int FROM "Response" WHERE "subjectId" = ANY(${list}::uuid[])) AS responses,
      (SELECT count(*)::int FROM "ObjectionCase" WHERE "subjectId" = ANY(${list}::uuid[])) AS "objectionCases"`;
  return row ?? none;
}

/**
 * Deletes the records of the given subjects that are still due, in one transaction under the
 * retention flag (the only way the append-only triggers let a DELETE through). The candidates
 * were chosen before: each is locked first (skipping one a batch or an erasure holds right now:
 * the next run takes it), then decided again in a later statement, which sees every record
 * committed before the lock. Once a subject is locked no batch can add a notification or
 * response to it until this commits. Delivery events have no foreign key to lock: one newer than
 * the cutoff that arrives meanwhile stays (without its notification).
 */
export async function purgeSubjects(
  database: Database,
  controllerId: string,
  candidates: readonly string[],
  cutoff: Date,
  actor: Actor,
  setting: { readonly cutoff: string; readonly retentionMonths: number },
): Promise<PurgeCounts> {
  return database.prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT set_config('notarium.retention', 'on', true)`;
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT "id"::text AS id FROM "Subject"
        WHERE "id" = ANY(${[...candidates]}::uuid[]) AND "controllerId" = ${controllerId}::uuid
        ORDER BY "id" FOR UPDATE SKIP LOCKED`;
      if (locked.length === 0) return none;
      const rows = await tx.$queryRaw<{ id: string }[]>`
        SELECT s."id"::text AS id FROM "Subject" s
        WHERE s."id" = ANY(${locked.map((row) => row.id)}::uuid[])
          AND ${lastProcessedBefore(cutoff)} AND NOT ${subjectUnderLegalHold} AND NOT ${objectionPending}`;
      const ids = rows.map((row) => row.id);
      if (ids.length === 0) return none;
      const counts = await deleteRecords(tx, ids, cutoff);
      await appendAudit(tx, actor, {
        action: 'retention:purge',
        targetType: 'Controller',
        targetId: controllerId,
        details: { ...setting, ...counts },
      });
      return counts;
    },
    { maxWait: 60_000, timeout: 600_000 },
  );
}

/** Children first: events and milestones by their notification's key, cases before their responses. */
async function deleteRecords(tx: Tx, ids: readonly string[], cutoff: Date): Promise<PurgeCounts> {
  const subjects = [...ids];
  const events = await tx.$executeRaw`
    DELETE FROM "NotificationEvent" e USING "Notification" n
    WHERE n."subjectId" = ANY(${subjects}::uuid[]) AND e."controllerId" = n."controllerId"
      AND e."notificationKey" = n."idempotencyKey" AND e."occurredAt" < ${cutoff}::timestamptz`;
  await tx.$executeRaw`
    DELETE FROM "NotificationMilestone" m USING "Notification" n
    WHERE n."subjectId" = ANY(${subjects}::uuid[]) AND m."controllerId" = n."controllerId"
      AND m."notificationKey" = n."idempotencyKey" AND m."occurredAt" < ${cutoff}::timestamptz`;
  const objectionCases = await tx.$executeRaw`
    DELETE FROM "ObjectionCase" WHERE "subjectId" = ANY(${subjects}::uuid[])`;
  const responses = await tx.$executeRaw`DELETE FROM "Response" WHERE "subjectId" = ANY(${subjects}::uuid[])`;
  const notifications = await tx.$executeRaw`
    DELETE FROM "Notification" WHERE "subjectId" = ANY(${subjects}::uuid[])`;
  const deleted = await tx.$executeRaw`DELETE FROM "Subject" WHERE "id" = ANY(${subjects}::uuid[])`;
  return { subjects: deleted, notifications, events, responses, objectionCases };
}
