import { createPublicKey } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { NotFoundError } from '../../domain/errors.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import type { Viewer } from '../access/access.policy.js';
import { getOrCreateSigningKey } from '../evidence/signing-key.js';
import { rawPublicKey, signCheckpoint, verifierKey } from './checkpoint.js';
import { encodeLeaf } from './leaf.js';
import {
  appendNotificationLeaves,
  appendVersionLeaf,
  leafOf,
  logSize,
  readSubtrees,
  type StoredLeaf,
} from './log-store.js';
import { consistencyPath, inclusionPath, leafHash, rangeHash, withSubtrees } from './merkle.js';
import { LogEntryPendingError, LogSizeOutOfRangeError } from './transparency-log.errors.js';

type Sql = Prisma.TransactionClient | Database['prisma'];

/** The checkpoint origin (and signed-note key name) of a controller's log. */
export function logOrigin(controllerId: string): string {
  return `notarium/log/${controllerId}`;
}

const ingestLock = (controllerId: string) => `notarium-log-ingest:${controllerId}`;

/**
 * Taken (shared) by every transaction that writes a notification batch, before the batch row: the
 * sequencer's exclusive take of the same lock waits for those in flight, so every batch up to the
 * highest logSequence it then sees is committed (docs/transparency-log.md#sequencing).
 */
export async function holdIngestLock(tx: Prisma.TransactionClient, controllerId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(hashtext(${ingestLock(controllerId)}))`;
}

/** Appends a version's leaf in the publishing transaction. */
export function logPublishedVersion(tx: Prisma.TransactionClient, controllerId: string, versionId: string) {
  return appendVersionLeaf(tx, controllerId, versionId);
}

/** Appends every notification committed since the last run, in one transaction; answers how many. */
export async function sequenceNotifications(database: Database, controllerId: string): Promise<number> {
  const horizon = await database.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${ingestLock(controllerId)}))`;
    const [row] = await tx.$queryRaw<{ through: bigint | null }[]>`
      SELECT max("logSequence") AS through FROM "NotificationBatch" WHERE "controllerId" = ${controllerId}::uuid`;
    return row?.through ?? null;
  });
  if (horizon === null) return 0;
  return database.prisma.$transaction((tx) => appendNotificationLeaves(tx, controllerId, horizon), {
    timeout: 600_000,
    maxWait: 60_000,
  });
}

export interface SignedHead {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
  readonly checkpoint: string;
  readonly keyId: string;
  readonly signedAt: Date;
}

interface HeadRow {
  treeSize: bigint;
  rootHash: Uint8Array;
  checkpoint: string;
  keyId: string;
  signedAt: Date;
}

function toHead(controllerId: string, row: HeadRow): SignedHead {
  return {
    origin: logOrigin(controllerId),
    treeSize: Number(row.treeSize),
    rootHash: Buffer.from(row.rootHash),
    checkpoint: row.checkpoint,
    keyId: row.keyId,
    signedAt: new Date(row.signedAt),
  };
}

/** The root hash of the log's first `size` leaves, from O(log n) stored subtrees. */
export function rootAt(sql: Sql, controllerId: string, size: number): Promise<Buffer> {
  return withSubtrees(
    (subtree) => Buffer.from(rangeHash(0, size, subtree)),
    (nodes) => readSubtrees(sql, controllerId, nodes),
  );
}

/**
 * Signs a head over the log as it is now with the controller's key, unless one exists for this
 * size; answers the head of this size (null for an empty log). Idempotent.
 */
export async function signTreeHead(database: Database, controllerId: string): Promise<SignedHead | null> {
  const prisma = database.prisma;
  const size = await logSize(prisma, controllerId);
  if (size === 0) return null;
  const existing = await headAt(prisma, controllerId, size);
  if (existing) return existing;
  const rootHash = await rootAt(prisma, controllerId, size);
  const key = await getOrCreateSigningKey(database, controllerId);
  const checkpoint = signCheckpoint(
    { origin: logOrigin(controllerId), treeSize: size, rootHash },
    key.privateKey,
  );
  await prisma.$executeRaw`
    INSERT INTO "TransparencyLogHead" ("controllerId", "treeSize", "rootHash", "checkpoint", "keyId")
    VALUES (${controllerId}::uuid, ${size}, ${rootHash}, ${checkpoint}, ${key.keyId})
    ON CONFLICT ("controllerId", "treeSize") DO NOTHING`;
  return headAt(prisma, controllerId, size);
}

/** One cadence run for a controller: sequence pending notifications, then sign a head. */
export async function runLogCadence(
  database: Database,
  controllerId: string,
): Promise<{ appended: number; head: SignedHead | null }> {
  const appended = await sequenceNotifications(database, controllerId);
  return { appended, head: await signTreeHead(database, controllerId) };
}

export async function headAt(sql: Sql, controllerId: string, size: number): Promise<SignedHead | null> {
  const [row] = await sql.$queryRaw<HeadRow[]>`
    SELECT "treeSize", "rootHash", "checkpoint", "keyId", "signedAt" FROM "TransparencyLogHead"
    WHERE "controllerId" = ${controllerId}::uuid AND "treeSize" = ${size}`;
  return row ? toHead(controllerId, row) : null;
}

export async function latestHead(sql: Sql, controllerId: string): Promise<SignedHead | null> {
  const [row] = await sql.$queryRaw<HeadRow[]>`
    SELECT "treeSize", "rootHash", "checkpoint", "keyId", "signedAt" FROM "TransparencyLogHead"
    WHERE "controllerId" = ${controllerId}::uuid ORDER BY "treeSize" DESC LIMIT 1`;
  return row ? toHead(controllerId, row) : null;
}

/** The verifier keys (signed-note form) of every key the controller has signed with, newest first. */
export async function logVerifierKeys(sql: Sql, controllerId: string): Promise<string[]> {
  const rows = await sql.$queryRaw<{ publicKey: string }[]>`
    SELECT "publicKey" FROM "ControllerSigningKey" WHERE "controllerId" = ${controllerId}::uuid
    ORDER BY "createdAt" DESC, "keyId"`;
  return rows.map((row) =>
    verifierKey(logOrigin(controllerId), 'note', rawPublicKey(createPublicKey(row.publicKey))),
  );
}

export interface InclusionProof {
  readonly format: 'notarium.log-inclusion-proof.v1';
  readonly origin: string;
  readonly entryType: StoredLeaf['type'];
  /** Hex of the 32 bytes the leaf commits to. */
  readonly entryHash: string;
  readonly leafIndex: number;
  readonly treeSize: number;
  /** Hex: SHA-256(0x00 || type byte || entry hash). */
  readonly leafHash: string;
  readonly rootHash: string;
  readonly path: string[];
  /** The signed tree head of `treeSize`. */
  readonly checkpoint: string;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The proof that a version or notification is in the log, against the latest head or the head of `treeSize`. */
export async function inclusionProof(
  sql: Sql,
  controllerId: string,
  entry: { versionId: string } | { notificationId: string },
  treeSize?: number | null,
): Promise<InclusionProof> {
  const leaf = await leafOf(sql, controllerId, entry);
  if (leaf === null)
    throw new NotFoundError('Log entry', 'versionId' in entry ? 'of this version' : 'of this notification');
  const head =
    treeSize == null ? await latestHead(sql, controllerId) : await headAt(sql, controllerId, treeSize);
  if (head === null && treeSize != null) throw new NotFoundError('Signed tree head', `of size ${treeSize}`);
  if (head === null || leaf.index >= head.treeSize) throw new LogEntryPendingError(leaf.index);
  const path = await withSubtrees(
    (subtree) => inclusionPath(leaf.index, head.treeSize, subtree),
    (nodes) => readSubtrees(sql, controllerId, nodes),
  );
  return {
    format: 'notarium.log-inclusion-proof.v1',
    origin: head.origin,
    entryType: leaf.type,
    entryHash: hex(leaf.entryHash),
    leafIndex: leaf.index,
    treeSize: head.treeSize,
    leafHash: hex(leafHash(encodeLeaf(leaf.type, leaf.entryHash))),
    rootHash: hex(head.rootHash),
    path: path.map(hex),
    checkpoint: head.checkpoint,
  };
}

export interface ConsistencyProof {
  readonly format: 'notarium.log-consistency-proof.v1';
  readonly origin: string;
  readonly fromSize: number;
  readonly toSize: number;
  readonly fromRootHash: string;
  readonly toRootHash: string;
  readonly path: string[];
  /** The signed heads of the two sizes, where the log signed one. */
  readonly fromCheckpoint: string | null;
  readonly toCheckpoint: string | null;
}

/** The proof that the log at `fromSize` is a prefix of the log at `toSize` (default: the latest head). */
export async function consistencyProof(
  sql: Sql,
  controllerId: string,
  fromSize: number,
  toSize?: number | null,
): Promise<ConsistencyProof> {
  const size = await logSize(sql, controllerId);
  const to = toSize ?? (await latestHead(sql, controllerId))?.treeSize ?? 0;
  if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > to || to > size)
    throw new LogSizeOutOfRangeError(
      `Sizes must satisfy 0 ≤ from (${fromSize}) ≤ to (${to}) ≤ the log's size (${size}).`,
    );
  const { path, fromRoot, toRoot } = await withSubtrees(
    (subtree) => ({
      path: consistencyPath(fromSize, to, subtree),
      fromRoot: rangeHash(0, fromSize, subtree),
      toRoot: rangeHash(0, to, subtree),
    }),
    (nodes) => readSubtrees(sql, controllerId, nodes),
  );
  const fromHead = await headAt(sql, controllerId, fromSize);
  const toHead = await headAt(sql, controllerId, to);
  return {
    format: 'notarium.log-consistency-proof.v1',
    origin: logOrigin(controllerId),
    fromSize,
    toSize: to,
    fromRootHash: hex(fromRoot),
    toRootHash: hex(toRoot),
    path: path.map(hex),
    fromCheckpoint: fromHead?.checkpoint ?? null,
    toCheckpoint: toHead?.checkpoint ?? null,
  };
}

/** The log as the API shows it, bound to the caller's controller. */
export class TransparencyLogService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  head(): Promise<SignedHead | null> {
    return latestHead(this.database.prisma, this.viewer.controllerId);
  }

  async versionProof(noticeKey: string, number: number, treeSize?: number | null): Promise<InclusionProof> {
    const version = await this.database.prisma.noticeVersion.findFirst({
      where: {
        controllerId: this.viewer.controllerId,
        number,
        status: { not: 'DRAFT' },
        notice: { key: noticeKey },
      },
      select: { id: true },
    });
    if (version === null) throw new NotFoundError('Notice version', `${noticeKey} #${number}`);
    return inclusionProof(
      this.database.prisma,
      this.viewer.controllerId,
      { versionId: version.id },
      treeSize,
    );
  }

  notificationProof(globalId: string, treeSize?: number | null): Promise<InclusionProof> {
    const id = decodeGlobalIdOf('Notification', globalId);
    if (id === null) throw new NotFoundError('Notification', globalId);
    return inclusionProof(this.database.prisma, this.viewer.controllerId, { notificationId: id }, treeSize);
  }

  consistencyProof(fromSize: number, toSize?: number | null): Promise<ConsistencyProof> {
    return consistencyProof(this.database.prisma, this.viewer.controllerId, fromSize, toSize);
  }
}
