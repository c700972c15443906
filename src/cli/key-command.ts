import { parseArgs } from 'node:util';
import type { Database } from '../db/database.js';
import { NotFoundError, validationFailed } from '../domain/errors.js';
import { apiKeyStatus } from '../modules/api-key/api-key.policy.js';
import { issueApiKey, revokeApiKeyById } from '../modules/api-key/api-key.service.js';
import { createApiKeySchema } from '../modules/api-key/api-key.validation.js';
import { parseInstantOption } from './instant-option.js';
import { withDatabase } from './with-database.js';

async function controllerIdOf(database: Database, slug: string | undefined): Promise<string> {
  const controller = slug ? await database.prisma.controller.findUnique({ where: { slug } }) : null;
  if (controller === null) throw new NotFoundError('Controller', slug ?? '(no --controller given)');
  return controller.id;
}

/** Arguments are checked before the database is opened: a typo costs no start-up and no lock. */
/** Tells running servers (through Redis) to stop serving a revoked key from memory; a warning if Redis fails. */
async function announceRevocation(redisUrl: string | undefined, apiKeyId: string): Promise<void> {
  if (!redisUrl) return;
  const { announceKeyChange } = await import('../modules/api-key/key-cache-redis.js');
  await announceKeyChange(redisUrl, apiKeyId).catch((error: unknown) => {
    process.stderr.write(
      `Warning: could not tell running servers through Redis (${error instanceof Error ? error.message : String(error)}); ` +
        'they may accept the key until their cached copy expires (API_KEY_CACHE_TTL_MS).\n',
    );
  });
}

export async function runKeyCommand(
  args: string[],
  open: () => Promise<Database>,
  redisUrl?: string,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: {
        controller: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        'expires-at': { type: 'string' },
        'trusted-documents-only': { type: 'boolean' },
      },
    });
    const parsed = createApiKeySchema().safeParse({
      name: values.name ?? '',
      role: values.role,
      expiresAt: parseInstantOption('expires-at', values['expires-at']),
      trustedDocumentsOnly: values['trusted-documents-only'] ?? false,
    });
    if (!parsed.success) throw validationFailed(parsed.error.issues);
    return withDatabase(open, async (database) => {
      const controllerId = await controllerIdOf(database, values.controller);
      const { apiKey, secret } = await issueApiKey(database.prisma, controllerId, parsed.data);
      process.stdout.write(
        `Created ${apiKey.role} key "${apiKey.name}" (${apiKey.id})${apiKey.trustedDocumentsOnly ? ', for trusted documents only' : ''}. Its secret, shown once:\n${secret}\n`,
      );
    });
  }
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: { controller: { type: 'string' } } });
    return withDatabase(open, async (database) => {
      const controllerId = await controllerIdOf(database, values.controller);
      const keys = await database.prisma.apiKey.findMany({
        where: { controllerId },
        orderBy: { createdAt: 'asc' },
      });
      const now = new Date();
      for (const k of keys)
        process.stdout.write(
          `${k.id}\t${k.prefix}…\t${k.role}${k.trustedDocumentsOnly ? ' (trusted documents only)' : ''}\t${apiKeyStatus(k, now)}\t${k.name}\n`,
        );
    });
  }
  const id = rest[0];
  if (sub === 'revoke' && id !== undefined && rest.length === 1) {
    return withDatabase(open, async (database) => {
      const key = await revokeApiKeyById(database.prisma, id, (keyId) => announceRevocation(redisUrl, keyId));
      if (key === null) throw new NotFoundError('ApiKey', id);
      process.stdout.write(`Revoked key "${key.name}" (${key.id}) at ${key.revokedAt?.toISOString()}\n`);
    });
  }
  process.stderr.write('Usage: key create … | key list --controller <slug> | key revoke <id>\n');
  return 2;
}
