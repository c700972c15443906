import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { GraphQLSchema } from 'graphql';
import { csvFields } from './csv.js';
import { type FileFormat, type FileRecord, fileRecords } from './file-records.js';
import type { GraphQLClient } from './graphql-client.js';
import { ImportError, usageError } from './import-error.js';
import { newState, readState, removeState, writeState } from './import-state.js';
import { Progress, type ProgressStream } from './progress.js';
import { type RejectedRow, RejectsFile } from './rejects-file.js';
import {
  type CheckedRow,
  checkHeader,
  checkRow,
  csvRow,
  type ImportKind,
  jsonRow,
  rowShape,
} from './rows.js';
import { checkColumnMapping, type RowOutcome, sendRows } from './send-rows.js';

export interface ImportOptions {
  readonly kind: ImportKind;
  readonly file: string;
  readonly format: FileFormat;
  readonly batchSize: number;
  /** Batches sent and not yet answered, at most. */
  readonly concurrency: number;
  readonly statePath: string;
  readonly rejectsPath: string;
}

export interface ImportEnvironment {
  readonly client: GraphQLClient;
  readonly schema: GraphQLSchema;
  readonly progress: ProgressStream;
  /** Milliseconds, for the progress line and the summary's duration. */
  readonly now: () => number;
}

export interface ImportResult {
  readonly rows: number;
  readonly accepted: number;
  readonly duplicate: number;
  readonly rejected: number;
  /** The rejects file, when a row was rejected. */
  readonly rejectsPath: string | null;
  /** Where this run began: after the line a checkpoint named, or null from the start. */
  readonly resumedAfterLine: number | null;
  /** Whether it stopped before the end, and the last line answered then (null: none yet). */
  readonly stopped: boolean;
  readonly stoppedAfterLine: number | null;
  /** Why it stopped: a coded failure, or null when interrupted (Ctrl-C) or finished. */
  readonly failure: ImportError | null;
  readonly seconds: number;
}

interface PendingRow {
  readonly line: number;
  readonly text: string | null;
  readonly checked: CheckedRow;
}

/** A batch of rows and the point of the file after it. */
interface Batch {
  readonly rows: readonly PendingRow[];
  readonly end: number;
  readonly sha256: string;
  readonly line: number;
}

type Answer = { readonly outcomes: readonly RowOutcome[] } | { readonly error: unknown };

const isBlank = (record: FileRecord) => record.text !== null && record.text.trim() === '';

/** The first line of a CSV file that is not blank: the field names (null for an empty file). */
async function csvHeader(file: string): Promise<string[] | null> {
  for await (const record of fileRecords(file, 'csv')) {
    if (isBlank(record)) continue;
    const parsed = record.text === null ? null : csvFields(record.text);
    if (parsed === null || 'error' in parsed)
      throw usageError('IMPORT_BAD_HEADER', `The first line of ${file} is not a CSV header.`);
    return parsed.fields.map((field) => field.trim());
  }
  return null;
}

function stateMismatch(file: string, statePath: string): ImportError {
  return new ImportError(
    'IMPORT_STATE_MISMATCH',
    `${file} is not the file ${statePath} was written for (its first bytes changed or it is shorter). Delete ${statePath} to import the whole file again: rows already recorded come back as duplicates.`,
  );
}

/**
 * Streams the file through the server's bulk writes, batch by batch, with a bounded number of
 * batches in flight, and checkpoints after each batch answered (in file order). Stops at a
 * coded failure or when `signal` aborts, after the batches in flight are answered.
 */
export async function runImport(
  options: ImportOptions,
  environment: ImportEnvironment,
  signal: AbortSignal,
): Promise<ImportResult> {
  const { kind, file, format, statePath } = options;
  const shape = rowShape(environment.schema, kind);
  if (kind === 'notifications') checkColumnMapping(shape);
  const fileBytes = (await stat(file)).size;
  const resume = await readState(statePath);
  if (resume !== null && resume.kind !== kind)
    throw new ImportError(
      'IMPORT_STATE_MISMATCH',
      `${statePath} is the checkpoint of an import of ${resume.kind}, not ${kind}.`,
    );
  const header = format === 'csv' ? await csvHeader(file) : null;
  if (header !== null) checkHeader(shape, header);
  const rejects = await RejectsFile.open(options.rejectsPath, format, resume?.rejects.bytes ?? null);
  if (header !== null) rejects.setHeader(header);
  const totals = {
    accepted: resume?.accepted ?? 0,
    duplicate: resume?.duplicate ?? 0,
    rejected: resume?.rejected ?? 0,
  };
  const started = environment.now();
  const progress = new Progress(environment.progress, environment.now, fileBytes, resume?.byteOffset ?? 0);
  let runRows = 0;
  let confirmedLine = resume?.line ?? null;

  async function* batches(): AsyncGenerator<Batch> {
    const hash = createHash('sha256');
    let headerRead = header === null;
    let skipping = resume !== null;
    let rows: PendingRow[] = [];
    let last: FileRecord | null = null;
    const batch = (): Batch => {
      const done = { rows, end: last!.end, sha256: hash.copy().digest('hex'), line: last!.line };
      rows = [];
      return done;
    };
    for await (const record of fileRecords(file, format)) {
      hash.update(record.bytes);
      if (!headerRead && !isBlank(record)) {
        headerRead = true;
        continue;
      }
      if (skipping) {
        if (record.end < resume!.byteOffset) continue;
        if (record.end > resume!.byteOffset || hash.copy().digest('hex') !== resume!.sha256)
          throw stateMismatch(file, statePath);
        skipping = false;
        continue;
      }
      if (isBlank(record)) continue;
      last = record;
      let checked: CheckedRow;
      if (record.text === null)
        checked = { error: { code: 'IMPORT_MALFORMED_ROW', message: 'The line is not UTF-8.' } };
      else {
        checked = header !== null ? csvRow(shape, header, record.text) : jsonRow(record.text);
        if ('value' in checked) checked = checkRow(shape, checked.value);
      }
      rows.push({ line: record.line, text: record.text, checked });
      if (rows.length === options.batchSize) yield batch();
    }
    if (skipping) throw stateMismatch(file, statePath);
    if (rows.length > 0) yield batch();
  }

  const send = async (batch: Batch): Promise<Answer> => {
    try {
      const valid = batch.rows.flatMap((row) => ('value' in row.checked ? [row.checked.value] : []));
      return { outcomes: await sendRows(environment.client, shape, valid) };
    } catch (error) {
      return { error };
    }
  };

  const queue: { batch: Batch; answer: Promise<Answer> }[] = [];
  // Once a batch goes unanswered, the checkpoint cannot move past it: later answers are not counted.
  let broken = false;
  let failure: ImportError | null = null;
  let unexpected: unknown = null;

  const confirm = async () => {
    const { batch, answer } = queue.shift()!;
    const answered = await answer;
    if (broken) return;
    if ('error' in answered) {
      broken = true;
      if (!(answered.error instanceof ImportError)) unexpected = answered.error;
      else if (answered.error.code !== 'IMPORT_INTERRUPTED') failure = answered.error;
      return;
    }
    const rejected: RejectedRow[] = [];
    let next = 0;
    for (const row of batch.rows) {
      const outcome: RowOutcome =
        'error' in row.checked
          ? { status: 'REJECTED', error: row.checked.error }
          : answered.outcomes[next++]!;
      if (outcome.status === 'ACCEPTED') totals.accepted++;
      else if (outcome.status === 'DUPLICATE') totals.duplicate++;
      else {
        totals.rejected++;
        rejected.push({ line: row.line, text: row.text, error: outcome.error! });
      }
    }
    await rejects.write(rejected);
    runRows += batch.rows.length;
    confirmedLine = batch.line;
    await writeState(
      statePath,
      newState(kind, {
        byteOffset: batch.end,
        sha256: batch.sha256,
        line: batch.line,
        ...totals,
        rejects: { path: rejects.path, bytes: rejects.bytes },
      }),
    );
    progress.update(totals.accepted + totals.duplicate + totals.rejected, runRows, batch.end);
  };

  let complete = false;
  try {
    for await (const batch of batches()) {
      if (signal.aborted || broken) break;
      queue.push({ batch, answer: send(batch) });
      if (queue.length >= options.concurrency) await confirm();
    }
    complete = !signal.aborted;
  } catch (error) {
    broken = true;
    if (error instanceof ImportError && error.exitCode === 1) failure = error;
    else unexpected = error;
  } finally {
    while (queue.length > 0) await confirm();
    await rejects.close();
    progress.clear();
  }
  complete &&= !broken;
  if (unexpected !== null) throw unexpected;
  if (complete) await removeState(statePath);
  return {
    rows: totals.accepted + totals.duplicate + totals.rejected,
    ...totals,
    rejectsPath: totals.rejected > 0 ? rejects.path : null,
    resumedAfterLine: resume?.line ?? null,
    stopped: !complete,
    stoppedAfterLine: complete ? null : confirmedLine,
    failure,
    seconds: (environment.now() - started) / 1000,
  };
}
