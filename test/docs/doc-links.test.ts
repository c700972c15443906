import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Docs are for the project's users: every file they cite is in this repository, every anchor they
// link to is a heading of the page, and they cite nothing outside it.
const root = resolve(import.meta.dirname, '../..');
const markdownFiles = [
  'README.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name)),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of withoutCodeBlocks(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] ?? '')
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

function linksOf(markdown: string): string[] {
  const text = withoutCodeBlocks(markdown);
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1] ?? '');
}

/** Paths cited in code spans, e.g. `src/modules/notice/content-hash.ts`. */
function citedPaths(markdown: string): string[] {
  const text = withoutCodeBlocks(markdown);
  return [...text.matchAll(/`((?:src|test|docs|bench|examples|scripts|prisma|schema)\/[\w./-]+)`/g)]
    .map((match) => (match[1] ?? '').replace(/[.:]$/, ''))
    .filter((path) => !path.includes('*'));
}

describe('documentation links', () => {
  it.each(markdownFiles)('%s links only to files and headings that exist', (file) => {
    const markdown = readFileSync(join(root, file), 'utf8');
    const broken: string[] = [];
    for (const link of linksOf(markdown)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // http:, https:, mailto:
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? join(root, file) : resolve(dirname(join(root, file)), path);
      if (!existsSync(target)) {
        broken.push(`${link} (no such file)`);
        continue;
      }
      if (anchor && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${link} (no heading #${anchor} in ${relative(root, target)})`);
      }
    }
    for (const path of citedPaths(markdown)) {
      if (!existsSync(join(root, path))) broken.push(`\`${path}\` (no such file)`);
    }
    expect(broken).toEqual([]);
  });

  it.each(markdownFiles)('%s cites nothing outside the repository and no issue numbers', (file) => {
    const markdown = readFileSync(join(root, file), 'utf8');
    expect(markdown).not.toMatch(/\.\.\/shared\//);
    expect(markdown).not.toMatch(/\bissue #?\d+/i);
  });

  it('finds the anchors GitHub makes', () => {
    const anchors = anchorsOf('# A `code` title (Art. 15)\n## Same\n## Same\n```\n# not a heading\n```\n');
    expect([...anchors]).toEqual(['a-code-title-art-15', 'same', 'same-1']);
  });
});
