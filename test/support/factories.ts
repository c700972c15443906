import { randomBytes } from 'node:crypto';
import type { ApiKeyRole, Controller, PrismaClient } from '../../src/generated/prisma/client.js';
import { issueApiKey } from '../../src/modules/api-key/api-key.service.js';
import { createController } from '../../src/modules/controller/controller.service.js';

export function uniqueSlug(prefix = 'ctl'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function makeController(
  prisma: PrismaClient,
  overrides: Partial<Parameters<typeof createController>[1]> = {},
): Promise<Controller> {
  const slug = overrides.slug ?? uniqueSlug();
  return createController(prisma, {
    slug,
    name: `Controller ${slug}`,
    legalName: `${slug} Ltd.`,
    contactEmail: `privacy@${slug}.example`,
    ...overrides,
  });
}

export async function makeKey(
  prisma: PrismaClient,
  controllerId: string,
  role: ApiKeyRole,
  overrides: { name?: string; expiresAt?: Date | null } = {},
): Promise<{ id: string; secret: string }> {
  const { apiKey, secret } = await issueApiKey(prisma, controllerId, {
    name: overrides.name ?? `${role.toLowerCase()} key`,
    role,
    expiresAt: overrides.expiresAt ?? null,
  });
  return { id: apiKey.id, secret };
}

/** A controller with one key per role. */
export async function makeTenant(prisma: PrismaClient) {
  const controller = await makeController(prisma);
  const roles = ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const;
  const keys = Object.fromEntries(
    await Promise.all(
      roles.map(async (role) => [role, (await makeKey(prisma, controller.id, role)).secret] as const),
    ),
  ) as Record<(typeof roles)[number], string>;
  return { controller, keys };
}
