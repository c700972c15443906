import type { ApiKey } from '../../generated/prisma/client.js';
import type { RoleGroup } from '../access/access.policy.js';

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

/**
 * Who may read a key: whoever may issue a key like it. An AUDITOR issues REGULATOR keys, so it
 * reads them (and sees the one it just created next to its secret); every other key is ADMIN's.
 */
export function apiKeyReaders(key: Pick<ApiKey, 'role'>): RoleGroup {
  return key.role === 'REGULATOR' ? 'issueRegulatorKeys' : 'manageKeys';
}
