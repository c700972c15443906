import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One row of a Markdown table: its cells, trimmed, and its line. */
export interface Row {
  readonly cells: readonly string[];
  readonly line: number;
}

/** Splits a table row on the pipes that separate cells (not on `\|`). */
function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replaceAll('\\|', '|'));
}

/**
 * The body rows of the tables in the section under a `## ` heading (up to the next `## `). Throws
 * when the heading is missing, so that a renamed section fails loudly.
 */
export function sectionRows(text: string, heading: string): Row[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start === -1) throw new Error(`no section "## ${heading}"`);
  const rows: Row[] = [];
  for (let index = start + 1; index < lines.length && !lines[index]!.startsWith('## '); index++) {
    const line = lines[index]!;
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const previous = lines[index - 1] ?? '';
    if (!previous.startsWith('|')) continue; // the header row
    rows.push({ cells: cellsOf(line), line: index + 1 });
  }
  return rows;
}

/** The text of the first code span of a cell, or null. */
export function firstCode(cell: string): string | null {
  return /`([^`]+)`/.exec(cell)?.[1] ?? null;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/**
 * What is wrong with the relative links and the cited repository paths of a Markdown file: links
 * to files that do not exist or to headings they lack, and `src/…`, `test/…`, `docs/…` paths in
 * code spans that do not exist.
 */
export function brokenReferences(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const problems: string[] = [];
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue;
    const [path, anchor] = target!.split('#') as [string, string | undefined];
    const resolved = path === '' ? file : join(dirname(file), path);
    if (!existsSync(join(root, resolved))) {
      problems.push(`${file}: link to ${target}: no file ${resolved}`);
      continue;
    }
    if (anchor === undefined) continue;
    const headings = readFileSync(join(root, resolved), 'utf8')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => anchorOf(line.replace(/^#+ /, '')));
    if (!headings.includes(anchor))
      problems.push(`${file}: link to ${target}: no such heading in ${resolved}`);
  }
  for (const [, path] of text.matchAll(/`((?:src|test|docs|schema|bench|scripts)\/[^`\s*…<]+)`/g)) {
    if (!existsSync(join(root, path!))) problems.push(`${file}: cites ${path}, which does not exist`);
  }
  return problems;
}
