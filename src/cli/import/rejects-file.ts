import { type FileHandle, open, rm, stat, truncate } from 'node:fs/promises';
import { csvFields, csvLine } from './csv.js';
import type { FileFormat } from './file-records.js';
import { type RowError, rejectedField } from './rows.js';

export interface RejectedRow {
  readonly line: number;
  /** The record as the file has it (null when it is not UTF-8). */
  readonly text: string | null;
  readonly error: RowError;
}

const isRejectedColumn = (column: string) =>
  column === rejectedField || column.startsWith(`${rejectedField}.`);

/**
 * The rejected rows, in the input's format, each with its line, code and message in front:
 * `rejected.line`, `rejected.code`, `rejected.message` columns (CSV) or a `rejected` object
 * (NDJSON). Created at the first rejected row.
 */
export class RejectsFile {
  private handle: FileHandle | null = null;
  private header: readonly string[] = [];

  private constructor(
    readonly path: string,
    private readonly format: FileFormat,
    /** Bytes written so far. */
    public bytes: number,
  ) {}

  /** A fresh file (any old one removed), or on resume the one written so far, cut back to `bytes`. */
  static async open(path: string, format: FileFormat, resumeBytes: number | null): Promise<RejectsFile> {
    const size = await stat(path).then(
      (found) => found.size,
      () => null,
    );
    if (resumeBytes === null || resumeBytes === 0 || size === null) {
      await rm(path, { force: true });
      return new RejectsFile(path, format, 0);
    }
    if (size > resumeBytes) await truncate(path, resumeBytes);
    return new RejectsFile(path, format, Math.min(size, resumeBytes));
  }

  /** The input's CSV header; the rejects file repeats it after its own columns. */
  setHeader(header: readonly string[]): void {
    this.header = header;
  }

  private csvRecord(row: RejectedRow): string {
    const prefix = [String(row.line), row.error.code, row.error.message];
    const parsed = row.text === null ? null : csvFields(row.text);
    if (parsed === null || 'error' in parsed) return csvLine([...prefix, row.text ?? '']);
    const fields = parsed.fields.filter((_field, index) => !isRejectedColumn(this.header[index] ?? ''));
    return csvLine([...prefix, ...fields]);
  }

  private jsonRecord(row: RejectedRow): string {
    const rejected: Record<string, unknown> = {
      line: row.line,
      code: row.error.code,
      message: row.error.message,
    };
    let value: unknown = null;
    try {
      value = row.text === null ? null : JSON.parse(row.text);
    } catch {}
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      rejected.text = row.text;
      return `${JSON.stringify({ [rejectedField]: rejected })}\n`;
    }
    const { [rejectedField]: _old, ...fields } = value as Record<string, unknown>;
    return `${JSON.stringify({ [rejectedField]: rejected, ...fields })}\n`;
  }

  async write(rows: readonly RejectedRow[]): Promise<void> {
    if (rows.length === 0) return;
    let text = '';
    if (this.bytes === 0 && this.format === 'csv')
      text += csvLine([
        `${rejectedField}.line`,
        `${rejectedField}.code`,
        `${rejectedField}.message`,
        ...this.header.filter((column) => !isRejectedColumn(column)),
      ]);
    for (const row of rows) text += this.format === 'csv' ? this.csvRecord(row) : this.jsonRecord(row);
    this.handle ??= await open(this.path, 'a');
    const bytes = Buffer.from(text);
    await this.handle.write(bytes);
    this.bytes += bytes.length;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
  }
}
