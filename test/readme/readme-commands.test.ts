import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-process.js';
import { type Coverage, readmeCommandMap } from './readme-command-map.js';
import { readmeCommands } from './readme-commands.js';

const mapFile = 'test/readme/readme-command-map.ts';
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');

/** What is wrong with one entry of the map, or null. */
function problem(command: string, coverage: Coverage): string | null {
  if ('test' in coverage) {
    if (!existsSync(join(repoRoot, coverage.test))) return `${coverage.test} does not exist`;
    const name = coverage.name ?? command;
    return read(coverage.test).includes(name)
      ? null
      : `${coverage.test} does not contain ${JSON.stringify(name)}`;
  }
  if ('ci' in coverage) {
    if (coverage.ci.replace(' --silent', '') !== command && !coverage.because)
      return `a CI line other than the command needs a "because"`;
    return read('.ci/run').includes(coverage.ci)
      ? null
      : `.ci/run does not contain ${JSON.stringify(coverage.ci)}`;
  }
  return coverage.excluded.trim() === '' ? 'an exclusion needs a reason' : null;
}

describe('every README command is run by a test or by CI', () => {
  const commands = readmeCommands();

  it('finds the README commands', () => {
    expect(commands.length).toBeGreaterThan(20);
    expect(commands.map((entry) => entry.command)).toContain('npm run cli -- help');
  });

  const mapped = new Map(readmeCommandMap);

  it('maps each command to the test or CI step that runs it, once', () => {
    expect(mapped.size, 'a command mapped twice').toBe(readmeCommandMap.length);
    const unmapped = [...new Set(commands.map((entry) => entry.command))]
      .filter((command) => !mapped.has(command))
      .map((command) => {
        const section = commands.find((entry) => entry.command === command)?.section;
        return `README command not covered (section "${section}"):\n  ${JSON.stringify(command)}\nAdd it to ${mapFile} with the test that runs it ({ test, name }), its .ci/run line ({ ci }), or a reason ({ excluded }):\n  [${JSON.stringify(command)}, { test: 'test/…', name: '…' }],`;
      });
    expect(unmapped, unmapped.join('\n\n')).toEqual([]);
  });

  it('points only at tests and CI lines that exist and run the command', () => {
    const wrong = readmeCommandMap.flatMap(([command, coverage]) => {
      const found = problem(command, coverage);
      return found === null ? [] : [`${JSON.stringify(command)}: ${found}`];
    });
    expect(wrong, wrong.join('\n')).toEqual([]);
  });

  it('has no entry for a command the README no longer shows', () => {
    const shown = new Set(commands.map((entry) => entry.command));
    const stale = readmeCommandMap.map(([command]) => command).filter((command) => !shown.has(command));
    expect(stale, `entries in ${mapFile} for commands no longer in README.md:\n${stale.join('\n')}`).toEqual(
      [],
    );
  });
});
