import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { heavyTestTimeout } from '../support/timeouts.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const biome = join(repoRoot, 'node_modules/.bin/biome');

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
  const project = mkdtempSync(join(tmpdir(), 'notarium-lint-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it(
    'refuses the unsafe forms in src, test and bench, and allows them only in src/db/raw-sql.ts',
    { timeout: heavyTestTimeout },
    () => {
      cpSync(join(repoRoot, 'biome.json'), join(project, 'biome.json'));
      cpSync(join(repoRoot, 'lint'), join(project, 'lint'), { recursive: true });
      const files = [
        'src/modules/notice/probe.ts',
        'test/probe.test.ts',
        'bench/probe.ts',
        'src/db/raw-sql.ts',
      ];
      for (const file of files) {
        mkdirSync(dirname(join(project, file)), { recursive: true });
        writeFileSync(join(project, file), unsafeUses);
      }
      const result = spawnSync(
        biome,
        ['lint', '--vcs-enabled=false', '--colors=off', '--max-diagnostics=none', ...files],
        { cwd: project, encoding: 'utf8' },
      );
      const output = `${result.stdout}${result.stderr}`;
      const reported = (file: string) =>
        output.split('\n').filter((line) => line.startsWith(`${file}:`) && line.includes(' plugin ')).length;
      expect(reported('src/modules/notice/probe.ts'), output).toBe(7);
      expect(reported('test/probe.test.ts'), output).toBe(7);
      expect(reported('bench/probe.ts'), output).toBe(7);
      expect(reported('src/db/raw-sql.ts'), output).toBe(0);
      expect(result.status).not.toBe(0);
    },
  );
});
