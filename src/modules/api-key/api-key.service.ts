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
import type { ApiKeyCache, CachedKey } from './key-cache.js';

export interface IssuedApiKey {
  readonly apiKey: ApiKey;
  readonly secret: string;
}

/** Creates a key; the secret exists only in the return value. Shared by the API and the CLI. */
export async function issueApiKey(
  prisma: Pick<PrismaClient, 'apiKey'>,
  controllerId: string,
  input: {
    name: string;
    role: ApiKeyRole;
    expiresAt?: Date | null;
    regulatorRequestId?: string | null;
    trustedDocumentsOnly?: boolean | null;
  },
): Promise<IssuedApiKey> {
  const { secret, prefix, hash } = generateSecret();
  const apiKey = await prisma.apiKey.create({
    data: {
      controllerId,
      name: input.name,
      role: input.role,
      expiresAt: input.expiresAt ?? null,
      regulatorRequestId: input.regulatorRequestId ?? null,
      trustedDocumentsOnly: input.trustedDocumentsOnly ?? false,
      prefix,
      secretHash: hash,
    },
  });
  return { apiKey, secret };
}

export type Authentication = { ok: true; viewer: Viewer } | { ok: false; code: AuthenticationCode };

/** The key a secret names: from the cache when it holds it, else from the database (then cached if active). */
async function findKey(
  database: Database,
  secretHash: string,
  cache: ApiKeyCache | undefined,
): Promise<(CachedKey & Pick<ApiKey, 'revokedAt'>) | null> {
  const cached = cache?.get(secretHash);
  if (cached !== undefined) return { ...cached, revokedAt: null };
  const generation = cache?.generation() ?? 0;
  const row = await database.prisma.apiKey.findUnique({
    where: { secretHash },
    select: {
      id: true,
      controllerId: true,
      name: true,
      role: true,
      regulatorRequestId: true,
      trustedDocumentsOnly: true,
      expiresAt: true,
      lastUsedAt: true,
      revokedAt: true,
    },
  });
  if (row !== null && row.revokedAt === null) {
    const { revokedAt: _revokedAt, ...key } = row;
    cache?.set(secretHash, key, generation);
  }
  return row;
}

/**
 * Writes `lastUsedAt` without waiting for the write-ahead log to reach the disk (ADR 0051): the
 * request that happens to touch a key would otherwise wait for a WAL flush, milliseconds on a busy
 * disk, for a value that only says roughly when a key was last used. One statement, its own
 * implicit transaction: `set_config(…, true)` turns `synchronous_commit` off until that
 * transaction ends, so no other transaction commits without its flush. A crash may lose the last
 * fraction of a second of such writes, never anything else.
 */
function touchLastUsed(database: Database, id: string, now: Date) {
  return database.prisma.$executeRaw`UPDATE "ApiKey" SET "lastUsedAt" = ${now}
    WHERE "id" = ${id}::uuid AND set_config('synchronous_commit', 'off', true) = 'off'`;
}

/**
 * Who the bearer is. With a cache, a key found active in the last few seconds is not looked up
 * again (no SQL); its expiry is still checked against `now` on every request.
 */
export async function authenticate(
  database: Database,
  bearer: string | null,
  now: Date,
  cache?: ApiKeyCache,
): Promise<Authentication> {
  if (bearer === null) return { ok: false, code: 'UNAUTHENTICATED' };
  if (!looksLikeKey(bearer)) return { ok: false, code: 'API_KEY_INVALID' };
  const secretHash = hashSecret(bearer);
  const key = await findKey(database, secretHash, cache);
  if (key === null) return { ok: false, code: 'API_KEY_INVALID' };
  const status = apiKeyStatus(key, now);
  if (status === 'REVOKED') return { ok: false, code: 'API_KEY_REVOKED' };
  if (status === 'EXPIRED') return { ok: false, code: 'API_KEY_EXPIRED' };
  if (shouldTouchLastUsed(key.lastUsedAt, now)) {
    // Bookkeeping, not a decision: a database that is full (or read-only) still serves reads.
    await touchLastUsed(database, key.id, now).catch((error: unknown) => {
      if (classifyDatabaseFailure(error) !== 'STORAGE_FULL') throw error;
    });
    cache?.touched(secretHash, now);
  }
  return {
    ok: true,
    viewer: {
      apiKeyId: key.id,
      keyName: key.name,
      role: key.role,
      controllerId: key.controllerId,
      regulatorRequestId: key.regulatorRequestId,
      trustedDocumentsOnly: key.trustedDocumentsOnly,
    },
  };
}

export class ApiKeyService {
  constructor(
    private readonly database: Database,
    private readonly viewer: Viewer,
    /** Told when a key stops authenticating, so that no process keeps serving it from memory. */
    private readonly keyCache?: ApiKeyCache,
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
        details: {
          name: input.name,
          role: input.role,
          expiresAt: input.expiresAt?.toISOString() ?? null,
          trustedDocumentsOnly: input.trustedDocumentsOnly ?? false,
        },
      });
      return issued;
    });
  }

  /** Idempotent: revoking a revoked key returns it unchanged, with its first revocation time. */
  async revoke(apiKeyId: string, now = new Date()): Promise<ApiKey> {
    if (!isUuid(apiKeyId)) throw new NotFoundError('ApiKey', apiKeyId);
    const where = { id: apiKeyId, controllerId: this.viewer.controllerId };
    const key = await this.database.prisma.$transaction(async (tx) => {
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
    // After the commit: a lookup that starts now reads the revocation.
    this.keyCache?.keyChanged(key.id);
    return key;
  }
}

/** The CLI's revocation; `announce` tells running servers to forget the key (Redis). */
export async function revokeApiKeyById(
  prisma: Pick<PrismaClient, 'apiKey'>,
  apiKeyId: string,
  announce?: (apiKeyId: string) => Promise<void>,
): Promise<ApiKey | null> {
  if (!isUuid(apiKeyId)) return null;
  await prisma.apiKey.updateMany({
    where: { id: apiKeyId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  const key = await prisma.apiKey.findUnique({ where: { id: apiKeyId } });
  if (key !== null) await announce?.(key.id);
  return key;
}
