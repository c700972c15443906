import { parseArgs } from 'node:util';
import type { Database } from '../db/database.js';
import { NotFoundError, validationFailed } from '../graphql/error-results.js';
import { apiKeyStatus } from '../modules/api-key/api-key.policy.js';
import { issueApiKey, revokeApiKeyById } from '../modules/api-key/api-key.service.js';
import { createApiKeySchema } from '../modules/api-key/api-key.validation.js';

async function controllerIdOf(database: Database, slug: string | undefined): Promise<string> {
  const controller = slug ? await database.prisma.controller.findUnique({ where: { slug } }) : null;
  if (controller === null) throw new NotFoundError('Controller', slug ?? '(no --controller given)');
  return controller.id;
}

export async function runKeyCommand(args: string[], open: () => Promise<Database>): Promise<number> {
  const [sub, ...rest] = args;
  const database = await open();
  try {
    if (sub === 'create') {
      const { values } = parseArgs({
        args: rest,
        options: {
          controller: { type: 'string' },
          name: { type: 'string' },
          role: { type: 'string' },
          'expires-at': { type: 'string' },
        },
      });
      const parsed = createApiKeySchema().safeParse({
        name: values.name ?? '',
        role: values.role,
        expiresAt: values['expires-at'] ? new Date(values['expires-at']) : undefined,
      });
      if (!parsed.success) throw validationFailed(parsed.error.issues);
      const controllerId = await controllerIdOf(database, values.controller);
      const { apiKey, secret } = await issueApiKey(database.prisma, controllerId, parsed.data);
      process.stdout.write(
        `Created ${apiKey.role} key "${apiKey.name}" (${apiKey.id}). Its secret, shown once:\n${secret}\n`,
      );
      return 0;
    }
    if (sub === 'list') {
      const { values } = parseArgs({ args: rest, options: { controller: { type: 'string' } } });
      const controllerId = await controllerIdOf(database, values.controller);
      const keys = await database.prisma.apiKey.findMany({
        where: { controllerId },
        orderBy: { createdAt: 'asc' },
      });
      const now = new Date();
      for (const k of keys)
        process.stdout.write(`${k.id}\t${k.prefix}…\t${k.role}\t${apiKeyStatus(k, now)}\t${k.name}\n`);
      return 0;
    }
    if (sub === 'revoke' && rest[0]) {
      const key = await revokeApiKeyById(database.prisma, rest[0]);
      if (key === null) throw new NotFoundError('ApiKey', rest[0]);
      process.stdout.write(`Revoked key "${key.name}" (${key.id}) at ${key.revokedAt?.toISOString()}\n`);
      return 0;
    }
    process.stderr.write('Usage: key create … | key list --controller <slug> | key revoke <id>\n');
    return 2;
  } finally {
    await database.close();
  }
}
