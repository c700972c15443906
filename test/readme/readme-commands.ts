import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/run-process.js';

export interface ReadmeCommand {
  /** The heading the command is under. */
  readonly section: string;
  /** The command as one line: continuations joined, comments dropped, spaces collapsed outside quotes. */
  readonly command: string;
  /** As the README writes it (a quoted value may span lines): what a test runs with bash. */
  readonly script: string;
}

/** Quotes left open at the end of `text` (bash-like: no quoting inside single quotes). */
function openQuote(text: string): string | null {
  let quote: string | null = null;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote === null) {
      if (char === '\\') index++;
      else if (char === "'" || char === '"') quote = char;
    } else if (char === quote) quote = null;
    else if (quote === '"' && char === '\\') index++;
  }
  return quote;
}

/** Drops a trailing `# comment` that is outside quotes. */
function withoutComment(line: string): string {
  for (let index = line.indexOf('#'); index >= 0; index = line.indexOf('#', index + 1))
    if ((index === 0 || /\s/.test(line[index - 1] ?? '')) && openQuote(line.slice(0, index)) === null)
      return line.slice(0, index).trimEnd();
  return line;
}

/** Collapses runs of white space outside quotes to one space. */
function oneLine(script: string): string {
  let result = '';
  for (const char of script.replace(/\\\n/g, ' ')) {
    const quoted = openQuote(result) !== null;
    // Outside quotes any run of space; inside, a line break and the next line's indentation.
    const collapses = quoted ? char === '\n' || (/\s/.test(char) && result.endsWith('\n')) : /\s/.test(char);
    if (!collapses) result += char;
    else if (!quoted && !result.endsWith(' ')) result += ' ';
    else if (quoted && char === '\n') result += '\n';
  }
  result = result.replace(/\n/g, ' ');
  return result.trim();
}

/** Command lines of a fenced `sh` block: a line ending in `\` or inside an open quote continues. */
function blockCommands(lines: string[]): string[] {
  const scripts: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = current === '' ? withoutComment(raw) : raw;
    if (current === '' && line.trim() === '') continue;
    current = current === '' ? line.trim() : `${current}\n${line}`;
    if (!current.endsWith('\\') && openQuote(current) === null) {
      scripts.push(withoutComment(current));
      current = '';
    }
  }
  if (current !== '') scripts.push(current);
  return scripts;
}

/** The commands in the first column of the table under "## Development". */
function tableCommands(row: string): string[] {
  const firstCell = row.split('|')[1] ?? '';
  return [...firstCell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
}

/** Every command line of README.md's fenced `sh` blocks and of its "Development" command table. */
export function readmeCommands(text = readFileSync(join(repoRoot, 'README.md'), 'utf8')): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  const lines = text.split('\n');
  let section = '';
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) section = heading[1] ?? '';
    if (/^```(sh|bash|shell)\s*$/.test(line)) {
      const end = lines.findIndex((candidate, at) => at > index && candidate.startsWith('```'));
      for (const script of blockCommands(lines.slice(index + 1, end)))
        commands.push({ section, command: oneLine(script), script });
      index = end;
    } else if (/^```/.test(line)) {
      index = lines.findIndex((candidate, at) => at > index && candidate.startsWith('```'));
    } else if (section === 'Development' && /^\|\s*`/.test(line)) {
      for (const command of tableCommands(line)) commands.push({ section, command, script: command });
    }
  }
  return commands;
}

/** The one README command whose one-line form starts with `prefix`; fails unless exactly one does. */
export function readmeCommand(prefix: string): ReadmeCommand {
  const found = readmeCommands().filter((candidate) => candidate.command.startsWith(prefix));
  if (found.length !== 1)
    throw new Error(`expected one README command starting with ${prefix}, found ${found.length}`);
  return found[0] as ReadmeCommand;
}
