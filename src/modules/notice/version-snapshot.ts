import type { Prisma } from '../../generated/prisma/client.js';
import { toPurposeSnapshot } from '../purpose/purpose.mapper.js';
import type { ControllerIdentity, VersionSnapshot } from '../purpose/purpose.snapshot.js';

type Client = Prisma.TransactionClient;

/**
 * What a version says: the controller's identity, its translations and, per purpose, the pinned
 * revision — or, for a draft, the controller as it is now and the purpose's current revision
 * (what publishing it now would state and pin).
 */
export async function loadVersionSnapshot(
  client: Client,
  versionId: string,
  number: number | null,
): Promise<VersionSnapshot> {
  const version = await client.noticeVersion.findUniqueOrThrow({
    where: { id: versionId },
    include: {
      notice: { select: { key: true, controller: true } },
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
  const controller =
    version.status === 'DRAFT'
      ? controllerIdentity(version.notice.controller)
      : (version.controllerIdentity as unknown as ControllerIdentity | null);
  return {
    controller,
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

/** The identity fields of a controller row, as a version states them. */
export function controllerIdentity(row: ControllerIdentity): ControllerIdentity {
  const { name, legalName, contactEmail, dpoContact, euRepresentative } = row;
  return { name, legalName, contactEmail, dpoContact, euRepresentative };
}

export function emptySnapshot(noticeKey: string, effectiveFrom: Date): VersionSnapshot {
  return { noticeKey, number: null, effectiveFrom, translations: [], purposes: [] };
}
