import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { setTimeout as wait } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { schema } from '../graphql/schema.js';
import type { FileFormat } from './import/file-records.js';
import { ImportError, usageError } from './import/import-error.js';
import type { ProgressStream } from './import/progress.js';
import { type ImportKind, importKinds } from './import/rows.js';
import { type ImportOptions, type ImportResult, runImport } from './import/run-import.js';

export const importUsage = `Usage:
  import notifications|events|responses <file.csv | file.ndjson> [--url <GraphQL URL>]
         [--batch-size <n>] [--concurrency <n>] [--state <file>] [--rejects <file>] [--format csv|ndjson]
The API key comes from the environment variable NOTARIUM_API_KEY (a NOTIFIER or ADMIN key). docs/import.md`;

export interface ImportCommandEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now: () => number;
  readonly stdout: (text: string) => void;
  /** Standard error: the progress line (on a terminal only) and failures. */
  readonly stderr: ProgressStream;
  /** Aborts on Ctrl-C: the import stops after the batches in flight are answered. */
  readonly signal: AbortSignal;
}

const defaultUrl = 'http://127.0.0.1:4000/graphql';
const defaultBatchSize = 5_000;
const largestBatch = 10_000;
const defaultConcurrency = 2;
const largestConcurrency = 8;
/** Exit code of an import stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const interruptedExit = 130;

const count = (value: number) => value.toLocaleString('en-US');

function integerOption(name: string, value: string | undefined, fallback: number, largest: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < 1 || number > largest)
    throw usageError('IMPORT_BAD_OPTION', `--${name} must be a whole number from 1 to ${count(largest)}.`);
  return number;
}

function formatOf(file: string, given: string | undefined): FileFormat {
  if (given === 'csv' || given === 'ndjson') return given;
  if (given !== undefined) throw usageError('IMPORT_BAD_OPTION', '--format must be csv or ndjson.');
  const extension = extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  throw usageError(
    'IMPORT_BAD_OPTION',
    `Cannot tell the format of ${file} from its name: give --format csv or --format ndjson.`,
  );
}

function urlOf(value: string | undefined): string {
  const url = value ?? defaultUrl;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol))
    throw usageError('IMPORT_BAD_OPTION', `--url must be an http or https URL, e.g. ${defaultUrl}.`);
  return url;
}

/** `notifications.csv` → `notifications.rejects.csv`, beside it. */
function rejectsBeside(file: string): string {
  const extension = extname(file);
  return join(dirname(file), `${basename(file, extension)}.rejects${extension}`);
}

async function optionsOf(args: string[]): Promise<{ options: ImportOptions; url: string }> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      format: { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      state: { type: 'string' },
      rejects: { type: 'string' },
    },
  });
  const [kind, file, ...extra] = positionals;
  if (kind === undefined || file === undefined || extra.length > 0)
    throw usageError(
      'IMPORT_BAD_OPTION',
      'Name what to import and the file, e.g. import notifications file.csv.',
    );
  if (!(importKinds as readonly string[]).includes(kind))
    throw usageError('IMPORT_BAD_OPTION', `Import notifications, events or responses, not "${kind}".`);
  const found = await stat(file).catch(() => null);
  if (found === null || !found.isFile())
    throw usageError('IMPORT_FILE_NOT_FOUND', `${file} does not exist or is not a file.`);
  return {
    url: urlOf(values.url),
    options: {
      kind: kind as ImportKind,
      file,
      format: formatOf(file, values.format),
      batchSize: integerOption('batch-size', values['batch-size'], defaultBatchSize, largestBatch),
      concurrency: integerOption('concurrency', values.concurrency, defaultConcurrency, largestConcurrency),
      statePath: values.state ?? `${file}.import-state.json`,
      rejectsPath: values.rejects ?? rejectsBeside(file),
    },
  };
}

function summary(options: ImportOptions, result: ImportResult): string {
  const what = `${options.kind} from ${options.file}`;
  const resumed =
    result.resumedAfterLine === null ? '' : ` (resumed after line ${count(result.resumedAfterLine)})`;
  const answered =
    result.stoppedAfterLine === null
      ? 'no row answered yet'
      : `rows answered up to line ${count(result.stoppedAfterLine)}`;
  const head = result.stopped
    ? `Stopped importing ${what}: ${answered}. Run the same command again to resume (checkpoint: ${options.statePath}).`
    : `Imported ${what}: ${count(result.rows)} rows${resumed} in ${result.seconds.toFixed(1)} s.`;
  const rejects = result.rejectsPath === null ? '' : ` (the rows with their reasons: ${result.rejectsPath})`;
  return [
    head,
    `accepted:  ${count(result.accepted)}`,
    `duplicate: ${count(result.duplicate)}`,
    `rejected:  ${count(result.rejected)}${rejects}`,
    '',
  ].join('\n');
}

/**
 * Imports a CSV or NDJSON file through the running server's GraphQL bulk writes, resumably
 * (docs/import.md). Exit 0 when no row was rejected, 1 when some were or the import stopped on
 * a coded failure, 2 for a usage error, 130 when interrupted.
 */
export async function runImportCommand(
  args: string[],
  environment: ImportCommandEnvironment = processEnvironment(),
): Promise<number> {
  const fail = (error: ImportError) => {
    environment.stderr.write(`${error.code}: ${error.message}\n`);
    return error.exitCode;
  };
  try {
    const { options, url } = await optionsOf(args);
    const apiKey = environment.env.NOTARIUM_API_KEY?.trim();
    if (!apiKey)
      throw usageError(
        'IMPORT_API_KEY_MISSING',
        'Set NOTARIUM_API_KEY to a NOTIFIER or ADMIN key of the controller to import into (it is never taken as an argument, where it would show in the process list and the shell history).',
      );
    const client = {
      url,
      apiKey,
      fetch: environment.fetch,
      sleep: environment.sleep,
      signal: environment.signal,
    };
    const result = await runImport(
      options,
      { client, schema, progress: environment.stderr, now: environment.now },
      environment.signal,
    );
    environment.stdout(summary(options, result));
    if (result.failure !== null) return fail(result.failure);
    if (result.stopped) return interruptedExit;
    return result.rejected > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ImportError) return fail(error);
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      environment.stderr.write(`${(error as Error).message}\n${importUsage}\n`);
      return 2;
    }
    throw error;
  }
}

/** The real process: its streams and clock, and Ctrl-C (a second one quits at once). */
function processEnvironment(): ImportCommandEnvironment {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(interruptedExit);
    process.stderr.write(
      `\n${signal}: stopping after the batches in flight; ${signal} again quits at once.\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    env: process.env,
    fetch: (url, init) => fetch(url, init),
    sleep: (ms, signal) => wait(ms, undefined, { signal }),
    now: () => performance.now(),
    stdout: (text) => process.stdout.write(text),
    stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    signal: controller.signal,
  };
}
