import { NotFoundError } from '../../domain/errors.js';
import type { PrismaClient } from '../../generated/prisma/client.js';
import { canonicalForm, contentHash } from './content-hash.js';
import { loadVersionSnapshot } from './version-snapshot.js';

export interface VersionVerification {
  readonly noticeKey: string;
  readonly number: number;
  readonly storedHash: string | null;
  readonly recomputedHash: string;
  readonly matches: boolean;
  /** Whether the stored canonical text still equals the one recomputed from the rows. */
  readonly canonicalFormMatches: boolean;
}

/** Recomputes a published version's content hash from its stored rows and compares. */
export async function verifyVersion(
  prisma: PrismaClient,
  controllerSlug: string,
  noticeKey: string,
  number: number,
): Promise<VersionVerification> {
  const version = await prisma.noticeVersion.findFirst({
    where: { number, notice: { key: noticeKey, controller: { slug: controllerSlug } } },
  });
  if (version === null) throw new NotFoundError('NoticeVersion', `${controllerSlug}/${noticeKey}#${number}`);
  const snapshot = await loadVersionSnapshot(prisma, version.id, version.number);
  const recomputedHash = contentHash(snapshot);
  return {
    noticeKey,
    number,
    storedHash: version.contentHash,
    recomputedHash,
    matches: recomputedHash === version.contentHash,
    canonicalFormMatches: canonicalForm(snapshot) === version.canonicalForm,
  };
}
