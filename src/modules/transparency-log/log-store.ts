import type { Database } from '../../db/database.js';
import { Prisma } from '../../generated/prisma/client.js';
import { leafHashSql, notificationEntryHashSql, versionEntryHashSql } from './leaf.js';
import { nodeHash } from './merkle.js';

type Sql = Prisma.TransactionClient | Database['prisma'];

export interface LogState {
  readonly treeSize: number;
  readonly sequencedThrough: bigint;
}

/** The controller's log state under a row lock: appends to one log happen one at a time. */
export async function lockLogState(tx: Prisma.TransactionClient, controllerId: string): Promise<LogState> {
  await tx.$executeRaw`
    INSERT INTO "TransparencyLogState" ("controllerId") VALUES (${controllerId}::uuid)
    ON CONFLICT ("controllerId") DO NOTHING`;
  const [state] = await tx.$queryRaw<{ treeSize: bigint; sequencedThrough: bigint }[]>`
    SELECT "treeSize", "sequencedThrough" FROM "TransparencyLogState"
    WHERE "controllerId" = ${controllerId}::uuid FOR UPDATE`;
  return { treeSize: Number(state!.treeSize), sequencedThrough: state!.sequencedThrough };
}

export async function logSize(sql: Sql, controllerId: string): Promise<number> {
  const [state] = await sql.$queryRaw<{ treeSize: bigint }[]>`
    SELECT "treeSize" FROM "TransparencyLogState" WHERE "controllerId" = ${controllerId}::uuid`;
  return state ? Number(state.treeSize) : 0;
}

/** Appends a published version's leaf (once: a retried publication appends nothing). */
export async function appendVersionLeaf(
  tx: Prisma.TransactionClient,
  controllerId: string,
  versionId: string,
): Promise<void> {
  const { treeSize } = await lockLogState(tx, controllerId);
  const added = await tx.$executeRaw`
    INSERT INTO "TransparencyLogLeaf" ("controllerId", "index", "type", "entryHash", "versionId")
    SELECT v."controllerId", ${treeSize}, 'NOTICE_VERSION', ${versionEntryHashSql(Prisma.sql`v."contentHash"`)}, v."id"
    FROM "NoticeVersion" v
    WHERE v."id" = ${versionId}::uuid AND v."controllerId" = ${controllerId}::uuid AND v."contentHash" IS NOT NULL
    ON CONFLICT ("controllerId", "versionId") WHERE "versionId" IS NOT NULL DO NOTHING`;
  if (added > 0) await grow(tx, controllerId, treeSize, treeSize + added);
}

/**
 * Appends the notifications of the batches after the sequencer's cursor up to logSequence
 * `through`, in batch then ID order, in one INSERT … SELECT; answers how many.
 */
export async function appendNotificationLeaves(
  tx: Prisma.TransactionClient,
  controllerId: string,
  through: bigint,
): Promise<number> {
  const { treeSize, sequencedThrough: after } = await lockLogState(tx, controllerId);
  if (through <= after) return 0;
  const added = await tx.$executeRaw`
    INSERT INTO "TransparencyLogLeaf" ("controllerId", "index", "type", "entryHash", "notificationId")
    SELECT ${controllerId}::uuid, ${treeSize} - 1 + row_number() OVER (ORDER BY b."logSequence", n."id"),
           'NOTIFICATION', ${notificationEntryHashSql(Prisma.sql`n."contentHash"`)}, n."id"
    FROM "NotificationBatch" b JOIN "Notification" n ON n."batchId" = b."id"
    WHERE b."controllerId" = ${controllerId}::uuid
      AND b."logSequence" > ${after} AND b."logSequence" <= ${through}`;
  await grow(tx, controllerId, treeSize, treeSize + added);
  await tx.$executeRaw`
    UPDATE "TransparencyLogState" SET "sequencedThrough" = ${through}
    WHERE "controllerId" = ${controllerId}::uuid`;
  return added;
}

/**
 * Hashes leaves [from, to) into level 0, then every subtree those leaves complete, one set-based
 * statement per level; then records the new size.
 */
async function grow(tx: Prisma.TransactionClient, controllerId: string, from: number, to: number) {
  if (to === from) return;
  await completeSubtrees(tx, controllerId, from, to);
  await tx.$executeRaw`
    UPDATE "TransparencyLogState" SET "treeSize" = ${to} WHERE "controllerId" = ${controllerId}::uuid`;
}

/**
 * The lowest level whose subtree hashes are stored: 16 leaves. Below it a subtree is hashed from
 * its (at most 8) leaves when a proof needs it, so appending writes one node row per 16 leaves
 * instead of two per leaf (ADR 0039).
 */
export const lowestStoredLevel = 4;
const storedWidth = 2 ** lowestStoredLevel;

/** The level-4 subtrees that leaves [from, to) complete, hashed from the leaves; then the levels above. */
export async function completeSubtrees(
  tx: Prisma.TransactionClient,
  controllerId: string,
  from: number,
  to: number,
): Promise<void> {
  const first = Math.floor(from / storedWidth);
  const end = Math.floor(to / storedWidth);
  if (end <= first) return;
  await tx.$executeRaw(levelFourStatement(controllerId, first, end));
  for (let level = lowestStoredLevel; 2 ** (level + 1) <= to; level += 1) {
    const width = 2 ** (level + 1);
    const firstAbove = Math.floor(from / width);
    const endAbove = Math.floor(to / width);
    if (endAbove <= firstAbove) continue;
    await tx.$executeRaw`
      INSERT INTO "TransparencyLogNode" ("controllerId", "level", "index", "hash")
      SELECT l."controllerId", ${level + 1}, l."index" / 2, sha256('\\x01'::bytea || l."hash" || r."hash")
      FROM "TransparencyLogNode" l
      JOIN "TransparencyLogNode" r
        ON r."controllerId" = l."controllerId" AND r."level" = l."level" AND r."index" = l."index" + 1
      WHERE l."controllerId" = ${controllerId}::uuid AND l."level" = ${level}
        AND l."index" >= ${firstAbove * 2} AND l."index" < ${endAbove * 2} AND l."index" % 2 = 0`;
  }
}

/**
 * The INSERT of the level-4 nodes over the leaves of 16-leaf subtrees [first, end): levels 1-3 in
 * CTEs, never stored. Exported for the plan test (test/modules/transparency-log/).
 */
export function levelFourStatement(controllerId: string, first: number, end: number): Prisma.Sql {
  // Each even node with its right neighbour, by a window over the level: one sort, linear in the
  // leaves whatever the planner knows (a self-join of a CTE has no index and, without
  // statistics, may be planned as a nested loop: quadratic in the backlog).
  const pair = (below: Prisma.Sql) => Prisma.sql`
    SELECT "i" / 2 AS "i", sha256('\\x01'::bytea || "h" || "nextH") AS "h"
    FROM (SELECT "i", "h", lead("i") OVER w AS "nextI", lead("h") OVER w AS "nextH"
          FROM ${below} WINDOW w AS (ORDER BY "i")) p
    WHERE "i" % 2 = 0 AND "nextI" = "i" + 1`;
  return Prisma.sql`
    WITH "l0" AS MATERIALIZED (
      SELECT "index" AS "i", ${leafHashSql(Prisma.sql`"type"`, Prisma.sql`"entryHash"`)} AS "h"
      FROM "TransparencyLogLeaf"
      WHERE "controllerId" = ${controllerId}::uuid AND "index" >= ${first * storedWidth} AND "index" < ${end * storedWidth}
    ),
    "l1" AS MATERIALIZED (${pair(Prisma.sql`"l0"`)}),
    "l2" AS MATERIALIZED (${pair(Prisma.sql`"l1"`)}),
    "l3" AS MATERIALIZED (${pair(Prisma.sql`"l2"`)}),
    "l4" AS (${pair(Prisma.sql`"l3"`)})
    INSERT INTO "TransparencyLogNode" ("controllerId", "level", "index", "hash")
    SELECT ${controllerId}::uuid, ${lowestStoredLevel}, "i", "h" FROM "l4"`;
}

/**
 * The subtree hashes asked for, in one statement: stored nodes from level 4 up, and the leaf
 * hashes of any lower subtree, which are then combined here (RFC 9162: 0x01 || left || right).
 */
export async function readSubtrees(
  sql: Sql,
  controllerId: string,
  nodes: readonly { level: number; index: number }[],
): Promise<Map<string, Uint8Array>> {
  if (nodes.length === 0) return new Map();
  const stored = nodes.filter((node) => node.level >= lowestStoredLevel);
  const low = nodes.filter((node) => node.level < lowestStoredLevel);
  const leafIndexes = low.flatMap(({ level, index }) =>
    Array.from({ length: 2 ** level }, (_, offset) => index * 2 ** level + offset),
  );
  const rows = await sql.$queryRaw<{ level: number; index: bigint; hash: Uint8Array }[]>`
    SELECT n."level", n."index", n."hash"
    FROM unnest(${stored.map((node) => node.level)}::int[], ${stored.map((node) => node.index)}::bigint[]) AS w(l, i)
    JOIN "TransparencyLogNode" n ON n."controllerId" = ${controllerId}::uuid AND n."level" = w.l AND n."index" = w.i
    UNION ALL
    SELECT -1, f."index", ${leafHashSql(Prisma.sql`f."type"`, Prisma.sql`f."entryHash"`)}
    FROM "TransparencyLogLeaf" f
    WHERE f."controllerId" = ${controllerId}::uuid AND f."index" = ANY(${leafIndexes}::bigint[])`;
  const hashes = new Map<string, Uint8Array>();
  const leaves = new Map<number, Buffer>();
  for (const row of rows) {
    if (row.level === -1) leaves.set(Number(row.index), Buffer.from(row.hash));
    else hashes.set(`${row.level}/${Number(row.index)}`, Buffer.from(row.hash));
  }
  for (const { level, index } of low) {
    let layer = Array.from({ length: 2 ** level }, (_, offset) => leaves.get(index * 2 ** level + offset));
    if (layer.some((hash) => hash === undefined)) continue;
    while (layer.length > 1)
      layer = Array.from({ length: layer.length / 2 }, (_, i) =>
        nodeHash(layer[2 * i] as Buffer, layer[2 * i + 1] as Buffer),
      );
    hashes.set(`${level}/${index}`, layer[0] as Buffer);
  }
  return hashes;
}

export interface StoredLeaf {
  readonly index: number;
  readonly type: 'NOTICE_VERSION' | 'NOTIFICATION';
  readonly entryHash: Buffer;
}

export async function leafOf(
  sql: Sql,
  controllerId: string,
  by: { versionId: string } | { notificationId: string },
): Promise<StoredLeaf | null> {
  const where =
    'versionId' in by
      ? Prisma.sql`"versionId" = ${by.versionId}::uuid`
      : Prisma.sql`"notificationId" = ${by.notificationId}::uuid`;
  const [row] = await sql.$queryRaw<{ index: bigint; type: StoredLeaf['type']; entryHash: Uint8Array }[]>`
    SELECT "index", "type"::text AS "type", "entryHash" FROM "TransparencyLogLeaf"
    WHERE "controllerId" = ${controllerId}::uuid AND ${where}`;
  return row ? { index: Number(row.index), type: row.type, entryHash: Buffer.from(row.entryHash) } : null;
}
