import { createReadStream } from 'node:fs';

export type FileFormat = 'csv' | 'ndjson';

/** One record of the file: a line, or for CSV a record whose quoted fields may span lines. */
export interface FileRecord {
  /** Line of the file the record starts on (1-based). */
  readonly line: number;
  /** Its text without the line ending; null when it is not UTF-8. */
  readonly text: string | null;
  /** Its bytes, line ending included. */
  readonly bytes: Buffer;
  /** Byte offset just after it. */
  readonly end: number;
}

const newline = 0x0a;
const quote = 0x22;
const decoder = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer, first: boolean): string | null {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return null;
  }
  if (first && text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.endsWith('\n')) text = text.slice(0, -1);
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return text;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(newline); at >= 0; at = bytes.indexOf(newline, at + 1)) count++;
  return count;
}

/**
 * Streams the records of a file, never holding more than a chunk and one record. Record ends are
 * found on the bytes (a CSV line break inside double quotes belongs to the field), so that each
 * record's end offset is exact: the checkpoint of a resumable import is such an offset.
 */
export async function* fileRecords(path: string, format: FileFormat): AsyncGenerator<FileRecord> {
  let pending: Buffer[] = [];
  let offset = 0;
  let line = 1;
  let quoted = false;
  let first = true;
  const record = (bytes: Buffer): FileRecord => {
    const result = { line, text: decode(bytes, first), bytes, end: offset + bytes.length };
    offset = result.end;
    line += countNewlines(bytes);
    first = false;
    return result;
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    let at = 0;
    while (at < chunk.length) {
      let end = -1;
      if (format === 'ndjson') {
        end = chunk.indexOf(newline, at);
        if (end < 0) break;
      } else {
        const nextQuote = chunk.indexOf(quote, at);
        if (quoted) {
          if (nextQuote < 0) break;
          quoted = false;
          at = nextQuote + 1;
          continue;
        }
        const nextNewline = chunk.indexOf(newline, at);
        if (nextQuote >= 0 && (nextNewline < 0 || nextQuote < nextNewline)) {
          quoted = true;
          at = nextQuote + 1;
          continue;
        }
        if (nextNewline < 0) break;
        end = nextNewline;
      }
      const piece = chunk.subarray(start, end + 1);
      const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      yield record(bytes);
      start = end + 1;
      at = start;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) yield record(Buffer.concat(pending));
}
