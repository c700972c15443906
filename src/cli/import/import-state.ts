import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ImportError } from './import-error.js';
import { type ImportKind, importKinds } from './rows.js';

/**
 * The checkpoint of an import: how far the file has been answered by the server. Written after
 * each batch is answered, removed when the whole file has been; a rerun resumes after it.
 */
export interface ImportState {
  readonly format: typeof stateFormat;
  readonly kind: ImportKind;
  /** Bytes of the file fully answered, and their SHA-256: a rerun checks the file is the same. */
  readonly byteOffset: number;
  readonly sha256: string;
  /** The line the last answered row starts on. */
  readonly line: number;
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: number;
  /** The rejects file and its length at this point (longer after a crash: cut back on resume). */
  readonly rejects: { readonly path: string; readonly bytes: number };
}

const stateFormat = 'notarium-import-state/1';

const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

function malformed(path: string): ImportError {
  return new ImportError(
    'IMPORT_STATE_MALFORMED',
    `${path} is not an import checkpoint; delete it (or name another with --state) to import the whole file: rows already recorded come back as duplicates.`,
  );
}

export async function readState(path: string): Promise<ImportState | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let state: ImportState;
  try {
    state = JSON.parse(text) as ImportState;
  } catch {
    throw malformed(path);
  }
  const valid =
    state?.format === stateFormat &&
    importKinds.includes(state.kind) &&
    [
      state.byteOffset,
      state.line,
      state.accepted,
      state.duplicate,
      state.rejected,
      state.rejects?.bytes,
    ].every(isCount) &&
    typeof state.sha256 === 'string' &&
    typeof state.rejects.path === 'string';
  if (!valid) throw malformed(path);
  return state;
}

export function newState(kind: ImportKind, fields: Omit<ImportState, 'format' | 'kind'>): ImportState {
  return { format: stateFormat, kind, ...fields };
}

/** Written to a temporary file and renamed over the old one: a crash leaves one or the other. */
export async function writeState(path: string, state: ImportState): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temporary, path);
}

export const removeState = (path: string) => rm(path, { force: true });
