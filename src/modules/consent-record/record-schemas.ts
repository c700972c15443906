import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ExportFormat } from './record-formats.js';

// ajv-formats is CommonJS: its default export arrives as the module object under some loaders.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ??
  addFormatsModule) as unknown as AddFormats;

const schemaFiles: Record<ExportFormat, string> = {
  ISO_27560: 'consent-record-27560.schema.json',
  DPV: 'consent-record-dpv.schema.json',
};

/** A schema shipped in ./schemas/ (copied beside the compiled code by scripts/build.mjs). */
export function recordSchema(format: ExportFormat): object {
  return JSON.parse(readFileSync(new URL(`./schemas/${schemaFiles[format]}`, import.meta.url), 'utf8'));
}

type Check = (document: unknown) => string[];
const checks = new Map<ExportFormat, Check>();

/** The problems ajv finds in an export document, against the format's schema (empty: valid). */
export function schemaProblems(format: ExportFormat, document: unknown): string[] {
  let check = checks.get(format);
  if (!check) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(recordSchema(format));
    check = (value) =>
      validate(value)
        ? []
        : (validate.errors ?? []).map((error) =>
            `${error.instancePath || '/'} ${error.message ?? ''}`.trim(),
          );
    checks.set(format, check);
  }
  return check(document);
}
