import type { Database } from '../../db/database.js';
import type { Viewer } from '../access/access.policy.js';
import { type Actor, appendAudit } from '../audit/audit.service.js';
import { type BundleScope, normalizeScope } from './evidence.validation.js';
import { type BundleSummary, exportBundle } from './export-bundle.js';
import { getOrCreateSigningKey, listSigningKeys, type PublishedSigningKey } from './signing-key.js';

export const bundleExportedAction = 'evidenceBundle:export';

/**
 * Exports a bundle signed with the controller's key, then records the export in the audit trail
 * (after the bundle: the bundle's own audit head is the state it was taken from).
 */
export async function exportEvidenceBundle(
  database: Database,
  actor: Actor,
  scope: BundleScope,
  output: NodeJS.WritableStream,
  purpose: string | null = null,
): Promise<BundleSummary> {
  normalizeScope(scope); // an invalid scope fails before a key is created or anything is written
  const signingKey = await getOrCreateSigningKey(database, actor.controllerId);
  const summary = await exportBundle(
    database,
    { controllerId: actor.controllerId, scope, signingKey },
    output,
  );
  await database.prisma.$transaction((tx) =>
    appendAudit(tx, actor, {
      action: bundleExportedAction,
      targetType: 'EvidenceBundle',
      targetId: summary.bundleId,
      details: {
        purpose,
        keyId: summary.keyId,
        manifestSha256: summary.manifestSha256,
        scope: {
          subjectCount: scope.subjectRefHashes?.length ?? null,
          noticeKeys: scope.noticeKeys ?? null,
          from: scope.from?.toISOString() ?? null,
          to: scope.to?.toISOString() ?? null,
        },
        records: Object.fromEntries(
          summary.parts
            .filter((part) => part.name.endsWith('.jsonl'))
            .map((part) => [part.name, part.records]),
        ),
      },
    }),
  );
  return summary;
}

/** What the API publishes about evidence bundles, bound to the caller's controller. */
export class EvidenceService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  /** Every key the controller's bundles are signed with, newest first; regulators compare key IDs. */
  signingKeys(): Promise<PublishedSigningKey[]> {
    return listSigningKeys(this.database, this.viewer.controllerId);
  }
}
