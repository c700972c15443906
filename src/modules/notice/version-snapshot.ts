import type { Prisma } from '../../generated/prisma/client.js';
import { toPurposeSnapshot } from '../purpose/purpose.mapper.js';
import type { VersionSnapshot } from '../purpose/purpose.snapshot.js';

type Client = Prisma.TransactionClient;

/**
 * What a version says: its translations and, per purpose, the pinned revision — or, for a
 * draft, the purpose's current revision (what publishing it now would pin).
 */
export async function loadVersionSnapshot(
  client: Client,
  versionId: string,
  number: number | null,
): Promise<VersionSnapshot> {
  const version = await client.noticeVersion.findUniqueOrThrow({
    where: { id: versionId },
    include: {
      notice: { select: { key: true } },
      translations: { orderBy: { locale: 'asc' } },
      purposes: {
        orderBy: { position: 'asc' },
        include: {
          revision: true,
          purpose: { include: { revisions: { orderBy: { number: 'desc' }, take: 1 } } },
        },
      },
    },
  });
  return {
    noticeKey: version.notice.key,
    number,
    effectiveFrom: version.effectiveFrom,
    translations: version.translations.map(({ locale, title, body }) => ({ locale, title, body })),
    purposes: version.purposes.map((link) => {
      const revision = link.revision ?? link.purpose.revisions[0];
      if (!revision) throw new Error(`Purpose ${link.purpose.key} has no revision`);
      return toPurposeSnapshot(link.purpose.key, revision);
    }),
  };
}

export function emptySnapshot(noticeKey: string, effectiveFrom: Date): VersionSnapshot {
  return { noticeKey, number: null, effectiveFrom, translations: [], purposes: [] };
}
