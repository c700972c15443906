import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One GraphQL operation found in the documentation. */
export interface DocOperation {
  readonly file: string;
  readonly line: number;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /** The demo key's role it runs with: `key=` on the fence, `$<ROLE>_KEY` in a curl command, else ADMIN. */
  readonly role: string;
}

interface Fence {
  readonly info: string;
  readonly line: number;
  readonly body: string;
}

/** The fenced blocks of a Markdown file (also indented ones, as inside list items). */
function fences(text: string): Fence[] {
  const found: Fence[] = [];
  const lines = text.split('\n');
  let open: { info: string; line: number; indent: number; body: string[] } | null = null;
  lines.forEach((line, index) => {
    const fence = /^(\s*)```(.*)$/.exec(line);
    if (open === null) {
      if (fence) open = { info: fence[2]!.trim(), line: index + 1, indent: fence[1]!.length, body: [] };
      return;
    }
    if (fence && fence[2]!.trim() === '') {
      found.push({ info: open.info, line: open.line, body: open.body.join('\n') });
      open = null;
      return;
    }
    open.body.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
  });
  return found;
}

/** The next fence's variables when it is a ```json block right after (nothing but blank lines between). */
function variablesAfter(text: string, fence: Fence, all: readonly Fence[]): Record<string, unknown> {
  const next = all[all.indexOf(fence) + 1];
  if (!next || next.info !== 'json') return {};
  const lines = text.split('\n');
  const closingLine = fence.line + fence.body.split('\n').length + 1;
  const between = lines.slice(closingLine, next.line - 1);
  if (between.some((line) => line.trim() !== '')) return {};
  return JSON.parse(next.body) as Record<string, unknown>;
}

function fromGraphqlFences(file: string, text: string, all: Fence[]): DocOperation[] {
  return all
    .filter((fence) => fence.info.split(/\s+/)[0] === 'graphql')
    .map((fence) => ({
      file,
      line: fence.line,
      query: fence.body,
      variables: variablesAfter(text, fence, all),
      role: /\bkey=([A-Z]+)/.exec(fence.info)?.[1] ?? 'ADMIN',
    }));
}

/** `curl … -d '{"query": …}'` in shell blocks: the JSON body is the request. */
function fromCurlCommands(file: string, all: Fence[]): DocOperation[] {
  const found: DocOperation[] = [];
  for (const fence of all.filter((item) => item.info === 'sh')) {
    for (const command of fence.body.split(/\n(?=\S*curl )/)) {
      const body = /-d '(\{[\s\S]*?\})'/.exec(command)?.[1];
      if (!body) continue;
      const request = JSON.parse(body) as { query?: string; variables?: Record<string, unknown> };
      if (typeof request.query !== 'string') continue;
      const lineOffset = fence.body.slice(0, fence.body.indexOf(command)).split('\n').length;
      found.push({
        file,
        line: fence.line + lineOffset,
        query: request.query,
        variables: request.variables ?? {},
        role: /Bearer \$([A-Z]+)_KEY/.exec(command)?.[1] ?? 'ADMIN',
      });
    }
  }
  return found;
}

/** Every operation of README.md and docs/*.md (not docs/decisions), in file order. */
export function documentedOperations(root: string): DocOperation[] {
  const files = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => `docs/${name}`),
  ];
  return files.flatMap((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const all = fences(text);
    return [...fromGraphqlFences(file, text, all), ...fromCurlCommands(file, all)].sort(
      (a, b) => a.line - b.line,
    );
  });
}
