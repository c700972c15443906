import { describe, expect, it } from 'vitest';
import { lintProbes } from '../support/lint-probe.js';
import { heavyTestTimeout } from '../support/timeouts.js';

const unsafeUses = `declare const prisma: {
  $queryRawUnsafe(query: string): Promise<unknown>;
  $executeRawUnsafe(query: string): Promise<unknown>;
};
declare const Prisma: { raw(text: string): unknown };
export const uses = [
  prisma.$queryRawUnsafe('SELECT 1'),
  prisma.$executeRawUnsafe('SELECT 1'),
  prisma['$queryRawUnsafe']('SELECT 1'),
  Prisma.raw('SELECT 1'),
];
export const { $executeRawUnsafe } = prisma;
`;

/**
 * The rule is real lint (a Biome GritQL plugin, see docs/decisions/0009-raw-sql.md); this checks
 * that the project's own biome.json still runs it where it should, so that a Biome upgrade or a
 * configuration change cannot switch it off unnoticed.
 */
describe('the raw-SQL lint rule', () => {
  it(
    'refuses the unsafe forms in src, test and bench, and allows them only in src/db/raw-sql.ts',
    { timeout: heavyTestTimeout },
    () => {
      const files = [
        'src/modules/notice/probe.ts',
        'test/probe.test.ts',
        'bench/probe.ts',
        'src/db/raw-sql.ts',
      ];
      const lint = lintProbes(files, unsafeUses);
      const output = lint.output;
      const reported = (file: string) => lint.reported(file, ' plugin ');
      expect(reported('src/modules/notice/probe.ts'), output).toBe(7);
      expect(reported('test/probe.test.ts'), output).toBe(7);
      expect(reported('bench/probe.ts'), output).toBe(7);
      expect(reported('src/db/raw-sql.ts'), output).toBe(0);
      expect(lint.status).not.toBe(0);
    },
  );
});
