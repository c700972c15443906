import type { Database } from '../../db/database.js';
import type { AuditEntry, Prisma } from '../../generated/prisma/client.js';
import type { Viewer } from '../access/access.policy.js';
import { auditHash, genesisHash } from './audit-hash.js';

type Tx = Prisma.TransactionClient;

export interface AuditRecord {
  readonly action: string;
  readonly targetType: string;
  readonly targetId?: string | null;
  readonly details?: Record<string, unknown>;
}

export interface Actor {
  readonly controllerId: string;
  readonly apiKeyId: string | null;
  readonly role: string | null;
}

export function actorOf(viewer: Viewer): Actor {
  return { controllerId: viewer.controllerId, apiKeyId: viewer.apiKeyId, role: viewer.role };
}

/**
 * Appends one entry to the controller's chain inside the caller's transaction, so the change and
 * its record commit together or not at all. A per-controller advisory lock orders writers.
 */
export async function appendAudit(
  tx: Tx,
  actor: Actor,
  record: AuditRecord,
  now = new Date(),
): Promise<AuditEntry> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('notarium-audit:' || ${actor.controllerId}))`;
  const last = await tx.auditEntry.findFirst({
    where: { controllerId: actor.controllerId },
    orderBy: { sequence: 'desc' },
    select: { sequence: true, hash: true },
  });
  const content = {
    controllerId: actor.controllerId,
    sequence: (last?.sequence ?? 0) + 1,
    occurredAt: now,
    actorKeyId: actor.apiKeyId,
    actorRole: actor.role,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId ?? null,
    details: (record.details ?? {}) as Prisma.InputJsonValue,
    previousHash: last?.hash ?? genesisHash,
  };
  return tx.auditEntry.create({ data: { ...content, hash: auditHash(content) } });
}

export interface AuditFilter {
  readonly action?: string | null;
  readonly targetId?: string | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
}

export interface AuditVerification {
  readonly valid: boolean;
  readonly entriesChecked: number;
  readonly firstBrokenSequence: number | null;
  readonly problem: string | null;
  readonly head: { sequence: number; hash: string } | null;
}

export class AuditService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  list(filter: AuditFilter, query: Omit<Prisma.AuditEntryFindManyArgs, 'where' | 'orderBy'> = {}) {
    return this.database.prisma.auditEntry.findMany({
      ...query,
      where: {
        controllerId: this.viewer.controllerId,
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.targetId ? { targetId: filter.targetId } : {}),
        ...(filter.from || filter.to
          ? {
              occurredAt: {
                ...(filter.from ? { gte: filter.from } : {}),
                ...(filter.to ? { lte: filter.to } : {}),
              },
            }
          : {}),
      },
      orderBy: { sequence: 'desc' },
    });
  }

  /** Walks the whole chain in order, in pages, recomputing every hash and link. */
  verify(): Promise<AuditVerification> {
    return verifyAuditChain(this.database, this.viewer.controllerId);
  }
}

export async function verifyAuditChain(database: Database, controllerId: string): Promise<AuditVerification> {
  let previousHash = genesisHash;
  let expectedSequence = 1;
  let checked = 0;
  let head: { sequence: number; hash: string } | null = null;
  for (;;) {
    const page = await database.prisma.auditEntry.findMany({
      where: { controllerId, sequence: { gte: expectedSequence } },
      orderBy: { sequence: 'asc' },
      take: 5_000,
    });
    if (page.length === 0) break;
    for (const entry of page) {
      const broken = (problem: string): AuditVerification => ({
        valid: false,
        entriesChecked: checked,
        firstBrokenSequence: entry.sequence,
        problem,
        head,
      });
      if (entry.sequence !== expectedSequence) return broken(`entry ${expectedSequence} is missing`);
      if (entry.previousHash !== previousHash)
        return broken('previousHash does not match the entry before it');
      if (auditHash(entry) !== entry.hash) return broken('the entry’s content does not match its hash');
      checked += 1;
      previousHash = entry.hash;
      expectedSequence += 1;
      head = { sequence: entry.sequence, hash: entry.hash };
    }
  }
  return { valid: true, entriesChecked: checked, firstBrokenSequence: null, problem: null, head };
}
