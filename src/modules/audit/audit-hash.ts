import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';

export const genesisHash = '0'.repeat(64);

export interface AuditContent {
  readonly controllerId: string;
  readonly sequence: number;
  readonly occurredAt: Date;
  readonly actorKeyId: string | null;
  readonly actorRole: string | null;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly details: unknown;
  readonly previousHash: string;
}

/**
 * SHA-256 (hex) over the canonical JSON of an entry with the previous entry's hash inside it:
 * changing, removing or reordering any entry breaks every hash after it.
 */
export function auditHash(entry: AuditContent): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        format: 'notarium.audit-entry.v1',
        controllerId: entry.controllerId,
        sequence: entry.sequence,
        occurredAt: entry.occurredAt.toISOString(),
        actorKeyId: entry.actorKeyId,
        actorRole: entry.actorRole,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        details: entry.details ?? null,
        previousHash: entry.previousHash,
      }),
    )
    .digest('hex');
}
