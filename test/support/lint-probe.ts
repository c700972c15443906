import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const biome = join(repoRoot, 'node_modules/.bin/biome');

export interface LintOutcome {
  readonly output: string;
  readonly status: number | null;
  /** Diagnostics of `file` whose line contains `marker` (a rule or plugin name). */
  reported(file: string, marker: string): number;
}

/**
 * Lints probe files with the project's own biome.json and lint/ plugins in a scratch project, so a
 * test can check that a rule still fires where it should after a Biome upgrade or a config change.
 */
export function lintProbes(files: readonly string[], content: string): LintOutcome {
  const project = mkdtempSync(join(tmpdir(), 'notarium-lint-'));
  try {
    cpSync(join(repoRoot, 'biome.json'), join(project, 'biome.json'));
    cpSync(join(repoRoot, 'lint'), join(project, 'lint'), { recursive: true });
    for (const file of files) {
      mkdirSync(dirname(join(project, file)), { recursive: true });
      writeFileSync(join(project, file), content);
    }
    const result = spawnSync(
      biome,
      ['lint', '--vcs-enabled=false', '--colors=off', '--max-diagnostics=none', ...files],
      { cwd: project, encoding: 'utf8' },
    );
    const output = `${result.stdout}${result.stderr}`;
    return {
      output,
      status: result.status,
      reported: (file, marker) =>
        output.split('\n').filter((line) => line.startsWith(`${file}:`) && line.includes(marker)).length,
    };
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}
