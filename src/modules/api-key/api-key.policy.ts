import type { ApiKey } from '../../generated/prisma/client.js';

export type ApiKeyStatus = 'ACTIVE' | 'REVOKED' | 'EXPIRED';

export function apiKeyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: Date): ApiKeyStatus {
  if (key.revokedAt !== null) return 'REVOKED';
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) return 'EXPIRED';
  return 'ACTIVE';
}

/** `lastUsedAt` is advisory: writing it at most once a minute keeps reads from becoming writes. */
export function shouldTouchLastUsed(lastUsedAt: Date | null, now: Date): boolean {
  return lastUsedAt === null || now.getTime() - lastUsedAt.getTime() > 60_000;
}
