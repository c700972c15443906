import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lintProbes } from '../support/lint-probe.js';
import { heavyTestTimeout } from '../support/timeouts.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const databaseImports = `import type { Database } from '../../db/database.js';
import { classifyDatabaseFailure } from '../../db/database-failure.js';
import { PrismaClient } from '../../generated/prisma/client.js';
import { prismaClientOf } from '../../graphql/prisma-binding.js';
import { eligibleSetQueries } from '../eligibility/eligibility.sql.js';
export const uses = [classifyDatabaseFailure, PrismaClient, prismaClientOf, eligibleSetQueries] as unknown as Database;
`;

/**
 * Resolvers (src/modules/<module>/*.graphql.ts) reach data only through the viewer-bound services
 * of the context: neither the context nor the services carry a database handle, and biome.json
 * refuses the imports that would let a resolver open one. This checks that the rule still runs
 * where it should, and that the context types still carry no database handle.
 */
describe('resolvers reach data only through services', () => {
  it(
    'refuses database imports in resolver files and allows them in services',
    { timeout: heavyTestTimeout },
    () => {
      const lint = lintProbes(
        ['src/modules/notice/probe.graphql.ts', 'src/modules/notice/probe.service.ts'],
        databaseImports,
      );
      const reported = (file: string) => lint.reported(file, 'noRestrictedImports');
      expect(reported('src/modules/notice/probe.graphql.ts'), lint.output).toBe(5);
      expect(reported('src/modules/notice/probe.service.ts'), lint.output).toBe(0);
    },
  );

  it('gives resolvers a context and services without a database handle', () => {
    const source = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
    const context = source('src/graphql/context.ts');
    const services = source('src/graphql/services.ts');
    const servicesInterface = /export interface Services \{[^}]*\}/.exec(services)?.[0] ?? '';
    expect(servicesInterface).toContain('readonly notice: NoticeService;');
    expect(servicesInterface).not.toMatch(/Database|PrismaClient|prisma/);
    expect(context).not.toMatch(/Database|PrismaClient|prisma/);
    const resolvers = readdirSync(join(repoRoot, 'src/modules'), {
      recursive: true,
      encoding: 'utf8',
    }).filter((file) => file.endsWith('.graphql.ts'));
    expect(resolvers.length).toBeGreaterThan(10);
    for (const file of resolvers)
      expect(source(`src/modules/${file}`), file).not.toMatch(/\$queryRaw|\$executeRaw|\.prisma\b/);
  });
});
