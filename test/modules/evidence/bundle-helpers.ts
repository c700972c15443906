import { createHash, type KeyObject, randomUUID, sign } from 'node:crypto';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { expect } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import {
  type BundleLayout,
  csvHeader,
  csvRow,
  currentLayout,
  type Manifest,
  manifestLine,
  mediaTypeOf,
  type RecordPart,
  type RecordTypes,
} from '../../../src/modules/evidence/bundle-format.js';
import type { BundleScope } from '../../../src/modules/evidence/evidence.validation.js';
import { exportBundle } from '../../../src/modules/evidence/export-bundle.js';
import { getOrCreateSigningKey } from '../../../src/modules/evidence/signing-key.js';

export interface ParsedBundle {
  readonly text: string;
  readonly parts: Map<string, unknown[]>;
  readonly manifest: Manifest;
}

export function readBundle(file: string): ParsedBundle {
  const text = readFileSync(file, 'utf8');
  const parts = new Map<string, unknown[]>();
  let current: unknown[] | null = null;
  let manifest: Manifest | null = null;
  for (const line of text.split('\n').slice(0, -1)) {
    const value = JSON.parse(line) as { $?: string; name?: string };
    if (typeof value === 'object' && value.$ === 'part') {
      current = parts.get(value.name!) ?? [];
      parts.set(value.name!, current);
    } else if (typeof value === 'object' && value.$ === 'manifest') {
      manifest = value as unknown as Manifest;
      current = null;
    } else if (typeof value !== 'object' || value.$ === undefined) current?.push(value);
  }
  return { text, parts, manifest: manifest! };
}

export const records = <T = Record<string, unknown>>(bundle: ParsedBundle, part: string) =>
  (bundle.parts.get(`${part}.jsonl`) ?? []) as T[];

/** Exports a bundle of the controller to a new file in `directory`, signed with its key. */
export async function exportToFile(
  database: Database,
  directory: string,
  controllerId: string,
  scope: BundleScope = {},
) {
  const file = join(directory, `${randomUUID()}.ndjson`);
  const output = createWriteStream(file);
  const signingKey = await getOrCreateSigningKey(database, controllerId);
  const summary = await exportBundle(database, { controllerId, scope, signingKey }, output);
  output.end();
  await finished(output);
  return { file, summary, bundle: readBundle(file) };
}

/** Changes one byte (a letter's case, a digit, or base64's + and /) at the first place `locate` points to. */
export function tamper(file: string, locate: (text: string) => number): string {
  const text = readFileSync(file, 'utf8');
  const index = locate(text);
  expect(index).toBeGreaterThan(0);
  const bytes = Buffer.from(text, 'utf8');
  const offset = Buffer.byteLength(text.slice(0, index), 'utf8');
  const byte = bytes[offset]!;
  if (byte >= 0x30 && byte <= 0x39) bytes[offset] = 0x30 + ((byte - 0x30 + 1) % 10);
  else if (/[A-Za-z]/.test(String.fromCharCode(byte))) bytes[offset] = byte ^ 0x20;
  else if (byte === 0x2b || byte === 0x2f) bytes[offset] = byte === 0x2b ? 0x2f : 0x2b;
  else throw new Error(`not a letter or digit at ${index}: ${String.fromCharCode(byte)}`);
  const copy = `${file}.tampered-${randomUUID()}`;
  writeFileSync(copy, bytes);
  return copy;
}

export const lineStart = (text: string, needle: string) => {
  const index = text.indexOf(needle);
  return index < 0 ? -1 : text.lastIndexOf('\n', index) + 1;
};

type Edit = (part: RecordPart, record: Record<string, unknown>) => Record<string, unknown>;

/**
 * Writes the bundle again in `layout`, with each record passed through `edit`, its CSV rows
 * rendered from the edited records, the manifest's part hashes recomputed and the manifest signed
 * with `privateKey`: a bundle that is intact as signed, so that only the record-level checks can
 * find what `edit` changed. Parts the layout does not have are left out.
 */
export function rewriteBundle(
  file: string,
  privateKey: KeyObject,
  edit: Edit,
  layout: BundleLayout = currentLayout,
): string {
  const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
  const manifest = JSON.parse(lines.at(-2)!) as Manifest & { $?: string };
  const state = new Map(
    layout.partNames.map((name) => [name, { hash: createHash('sha256'), bytes: 0, records: 0 }]),
  );
  const count = (name: string, content: string, records: number) => {
    const part = state.get(name)!;
    part.hash.update(content, 'utf8');
    part.bytes += Buffer.byteLength(content, 'utf8');
    part.records += records;
  };
  const out = [layout.headerLine];
  let current: { part: RecordPart; csv: boolean } | null = null;
  let segment: Record<string, unknown>[] = [];
  for (const line of lines.slice(1, -2)) {
    if (line.startsWith('{"$":')) {
      const name = (JSON.parse(line) as { name: string }).name;
      current = state.has(name)
        ? { part: name.slice(0, name.lastIndexOf('.')) as RecordPart, csv: name.endsWith('.csv') }
        : null;
      if (current === null) continue;
      out.push(line);
      if (!current.csv) {
        segment = [];
        continue;
      }
      // A CSV segment: the rows of the JSON segment before it, rendered again.
      const { part } = current;
      const rows = state.get(name)!.bytes === 0 ? [csvHeader(part, layout)] : [];
      for (const record of segment) rows.push(csvRow(part, record as RecordTypes[typeof part], layout));
      count(name, rows.join(''), segment.length);
      out.push(...rows.map((row) => JSON.stringify(row)));
    } else if (current !== null && !current.csv) {
      const record = edit(current.part, JSON.parse(line) as Record<string, unknown>);
      segment.push(record);
      const text = JSON.stringify(record);
      count(`${current.part}.jsonl`, `${text}\n`, 1);
      out.push(text);
    }
  }
  const { $: _, ...rest } = manifest;
  const signed = manifestLine({
    ...rest,
    format: layout.format,
    parts: layout.partNames.map((name) => {
      const part = state.get(name)!;
      return {
        name,
        mediaType: mediaTypeOf(name),
        records: part.records,
        bytes: part.bytes,
        sha256: part.hash.digest('hex'),
      };
    }),
  });
  const signature = sign(null, Buffer.from(signed, 'utf8'), privateKey).toString('base64');
  out.push(
    signed,
    JSON.stringify({
      $: 'signature',
      algorithm: 'Ed25519',
      keyId: manifest.signingKey.keyId,
      value: signature,
    }),
  );
  const copy = `${file}.rewritten-${randomUUID()}`;
  writeFileSync(copy, `${out.join('\n')}\n`);
  return copy;
}
