import type { PrismaClient } from '../../generated/prisma/client.js';
import { issueApiKey } from '../api-key/api-key.service.js';
import { createController } from './controller.service.js';

/** On an empty database outside production: one demo controller and an ADMIN key, printed once. */
export async function seedDemoIfEmpty(
  prisma: PrismaClient,
): Promise<{ controllerSlug: string; secret: string } | null> {
  return prisma.$transaction(async (tx) => {
    if ((await tx.controller.count()) > 0) return null;
    const controller = await createController(tx, {
      slug: 'demo',
      name: 'Demo Controller',
      legalName: 'Demo Controller Ltd.',
      contactEmail: 'privacy@demo.example',
    });
    const { secret } = await issueApiKey(tx, controller.id, { name: 'demo admin', role: 'ADMIN' });
    return { controllerSlug: controller.slug, secret };
  });
}
