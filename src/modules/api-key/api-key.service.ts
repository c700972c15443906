import type { Database } from '../../db/database.js';
import { classifyDatabaseFailure } from '../../db/database-failure.js';
import type { AuthenticationCode } from '../../domain/errors.js';
import { NotFoundError } from '../../domain/errors.js';
import type { ApiKey, ApiKeyRole, Prisma, PrismaClient } from '../../generated/prisma/client.js';
import { isUuid } from '../../lib/uuid.js';
import type { Viewer } from '../access/access.policy.js';
import { actorOf, appendAudit } from '../audit/audit.service.js';
import { apiKeyStatus, shouldTouchLastUsed } from './api-key.policy.js';
import { generateSecret, hashSecret, looksLikeKey } from './api-key.secret.js';
import type { CreateApiKeyInput } from './api-key.validation.js';

export interface IssuedApiKey {
  readonly apiKey: ApiKey;
  readonly secret: string;
}

/** Creates a key; the secret exists only in the return value. Shared by the API and the CLI. */
export async function issueApiKey(
  prisma: Pick<PrismaClient, 'apiKey'>,
  controllerId: string,
  input: { name: string; role: ApiKeyRole; expiresAt?: Date | null; regulatorRequestId?: string | null },
): Promise<IssuedApiKey> {
  const { secret, prefix, hash } = generateSecret();
  const apiKey = await prisma.apiKey.create({
    data: {
      controllerId,
      name: input.name,
      role: input.role,
      expiresAt: input.expiresAt ?? null,
      regulatorRequestId: input.regulatorRequestId ?? null,
      prefix,
      secretHash: hash,
    },
  });
  return { apiKey, secret };
}

export type Authentication = { ok: true; viewer: Viewer } | { ok: false; code: AuthenticationCode };

export async function authenticate(
  database: Database,
  bearer: string | null,
  now: Date,
): Promise<Authentication> {
  if (bearer === null) return { ok: false, code: 'UNAUTHENTICATED' };
  if (!looksLikeKey(bearer)) return { ok: false, code: 'API_KEY_INVALID' };
  const key = await database.prisma.apiKey.findUnique({ where: { secretHash: hashSecret(bearer) } });
  if (key === null) return { ok: false, code: 'API_KEY_INVALID' };
  const status = apiKeyStatus(key, now);
  if (status === 'REVOKED') return { ok: false, code: 'API_KEY_REVOKED' };
  if (status === 'EXPIRED') return { ok: false, code: 'API_KEY_EXPIRED' };
  if (shouldTouchLastUsed(key.lastUsedAt, now)) {
    // Bookkeeping, not a decision: a database that is full (or read-only) still serves reads.
    await database.prisma.apiKey
      .update({ where: { id: key.id }, data: { lastUsedAt: now } })
      .catch((error: unknown) => {
        if (classifyDatabaseFailure(error) !== 'STORAGE_FULL') throw error;
      });
  }
  return {
    ok: true,
    viewer: {
      apiKeyId: key.id,
      keyName: key.name,
      role: key.role,
      controllerId: key.controllerId,
      regulatorRequestId: key.regulatorRequestId,
    },
  };
}

export class ApiKeyService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
  ) {}

  /** `query` is plugin-prisma's selection and pagination; the tenant filter is always ours. */
  list(query: { include?: Prisma.ApiKeyInclude; select?: Prisma.ApiKeySelect }): Promise<ApiKey[]> {
    return this.database.prisma.apiKey.findMany({
      ...query,
      where: { controllerId: this.viewer.controllerId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }

  create(input: CreateApiKeyInput): Promise<IssuedApiKey> {
    return this.database.prisma.$transaction(async (tx) => {
      const issued = await issueApiKey(tx, this.viewer.controllerId, input);
      await appendAudit(tx, actorOf(this.viewer), {
        action: 'apiKey:create',
        targetType: 'ApiKey',
        targetId: issued.apiKey.id,
        details: { name: input.name, role: input.role, expiresAt: input.expiresAt?.toISOString() ?? null },
      });
      return issued;
    });
  }

  /** Idempotent: revoking a revoked key returns it unchanged, with its first revocation time. */
  async revoke(apiKeyId: string, now = new Date()): Promise<ApiKey> {
    if (!isUuid(apiKeyId)) throw new NotFoundError('ApiKey', apiKeyId);
    const where = { id: apiKeyId, controllerId: this.viewer.controllerId };
    return this.database.prisma.$transaction(async (tx) => {
      const changed = await tx.apiKey.updateMany({
        where: { ...where, revokedAt: null },
        data: { revokedAt: now },
      });
      const key = await tx.apiKey.findFirst({ where });
      if (key === null) throw new NotFoundError('ApiKey', apiKeyId);
      if (changed.count > 0) {
        await appendAudit(
          tx,
          actorOf(this.viewer),
          { action: 'apiKey:revoke', targetType: 'ApiKey', targetId: key.id },
          now,
        );
      }
      return key;
    });
  }
}

export async function revokeApiKeyById(
  prisma: Pick<PrismaClient, 'apiKey'>,
  apiKeyId: string,
): Promise<ApiKey | null> {
  if (!isUuid(apiKeyId)) return null;
  await prisma.apiKey.updateMany({
    where: { id: apiKeyId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return prisma.apiKey.findUnique({ where: { id: apiKeyId } });
}
