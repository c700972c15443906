import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from './env.js';

/** `NAME=value`, optionally after `export`; the value as Node's `.env` parser reads it. */
const assignment = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=(.*)$/;

/** A value that opens a quote it does not close on its line (a multi-line value). */
function opensQuote(value: string): boolean {
  const quote = /^\s*(["'`])/.exec(value)?.[1];
  return quote !== undefined && value.trim().lastIndexOf(quote) === 0;
}

/**
 * Every line must be blank, a `#` comment or an assignment. Node's parser skips what it does not
 * understand, sometimes taking the next line's name with it, so a typo would silently drop a
 * setting; here it stops the start instead, naming the line.
 */
function problems(text: string, file: string): string[] {
  const found: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const value = assignment.exec(line)?.[1];
    const where = `${file} line ${index + 1}`;
    if (value === undefined) found.push(`${where}: expected NAME=value, found "${trimmed.slice(0, 60)}"`);
    else if (opensQuote(value)) found.push(`${where}: a quoted value must close on its own line`);
  });
  return found;
}

/**
 * Loads `.env` (or the file `ENV_FILE` names) into `env`, once, before the configuration is
 * parsed. A variable already set in `env` wins over the file, as with `node --env-file`. A missing
 * `.env` is fine; a missing `ENV_FILE`, an unreadable file or a malformed line is a
 * `ConfigError` that names the file and line. Returns the file read, or null.
 */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env, defaultFile = '.env'): string | null {
  const named = env.ENV_FILE !== undefined && env.ENV_FILE !== '';
  const file = named ? (env.ENV_FILE as string) : defaultFile;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !named) return null;
    throw new ConfigError([`ENV_FILE: cannot read ${file} (${code ?? String(error)})`]);
  }
  const found = problems(text, file);
  if (found.length > 0) throw new ConfigError(found);
  for (const [name, value] of Object.entries(parseEnv(text)))
    if (env[name] === undefined && value !== undefined) env[name] = value;
  return file;
}
