import { createHash } from 'node:crypto';
import {
  coerceInputValue,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  GraphQLNonNull,
  type GraphQLSchema,
  getNamedType,
  isInputObjectType,
  isNonNullType,
} from 'graphql';
import { csvFields } from './csv.js';
import { usageError } from './import-error.js';

export const importKinds = ['notifications', 'events', 'responses'] as const;
export type ImportKind = (typeof importKinds)[number];

const inputTypeNames: Record<ImportKind, string> = {
  notifications: 'NotificationInput',
  events: 'NotificationEventInput',
  responses: 'ResponseInput',
};

/**
 * What a rejects file adds to each row (`rejected.line`, `.code`, `.message`). It is ignored when
 * a file is read, so that a corrected rejects file imports as it is.
 */
export const rejectedField = 'rejected';

interface Leaf {
  readonly path: readonly string[];
  /** The GraphQL type of the value: how a CSV text is read (Int, Boolean, Float; else text). */
  readonly typeName: string;
}

/** The fields a row of one kind may have: the GraphQL input type's, nested ones dotted (`template.key`). */
export interface RowShape {
  readonly kind: ImportKind;
  readonly type: GraphQLInputObjectType;
  readonly leaves: ReadonlyMap<string, Leaf>;
  /** The row type has an `idempotencyKey`, derived from the row when it gives none. */
  readonly derivesKey: boolean;
}

export interface RowError {
  readonly code: string;
  readonly message: string;
}

export type CheckedRow = { readonly value: Record<string, unknown> } | { readonly error: RowError };

function leavesOf(type: GraphQLInputObjectType, prefix: string[], into: Map<string, Leaf>) {
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const path = [...prefix, field.name];
    if (isInputObjectType(named)) leavesOf(named, path, into);
    else into.set(path.join('.'), { path, typeName: named.name });
  }
}

export function rowShape(schema: GraphQLSchema, kind: ImportKind): RowShape {
  const type = schema.getType(inputTypeNames[kind]);
  if (!isInputObjectType(type)) throw new Error(`The schema has no input type ${inputTypeNames[kind]}.`);
  const leaves = new Map<string, Leaf>();
  leavesOf(type, [], leaves);
  return { kind, type, leaves, derivesKey: 'idempotencyKey' in type.getFields() };
}

/** The columns a header must name: required fields, and the required parts of a nested field it names. */
function missingColumns(shape: RowShape, named: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  const walk = (type: GraphQLInputObjectType, prefix: string, needed: boolean) => {
    for (const field of Object.values(type.getFields())) {
      const path = `${prefix}${field.name}`;
      const required = needed && isNonNullType(field.type);
      const fieldType = getNamedType(field.type);
      if (isInputObjectType(fieldType)) {
        const given = [...named].some((column) => column.startsWith(`${path}.`));
        walk(fieldType, `${path}.`, required || given);
      } else if (required && !named.has(path) && !(path === 'idempotencyKey' && shape.derivesKey)) {
        missing.push(path);
      }
    }
  };
  walk(shape.type, '', true);
  return missing;
}

/** Checks a CSV header against the row type: an unknown, repeated or missing column is a usage error. */
export function checkHeader(shape: RowShape, header: readonly string[]): void {
  const fields = [...shape.leaves.keys()].join(', ');
  const seen = new Set<string>();
  for (const column of header) {
    if (column === rejectedField || column.startsWith(`${rejectedField}.`)) continue;
    if (!shape.leaves.has(column))
      throw usageError(
        'IMPORT_UNKNOWN_FIELD',
        `The header names "${column}", which is not a field of ${shape.kind} (${shape.type.name}); the fields: ${fields}.`,
      );
    if (seen.has(column)) throw usageError('IMPORT_DUPLICATE_FIELD', `The header names "${column}" twice.`);
    seen.add(column);
  }
  const missing = missingColumns(shape, seen);
  if (missing.length > 0)
    throw usageError(
      'IMPORT_MISSING_FIELD',
      `The header lacks the required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${shape.kind}.`,
    );
}

const malformed = (message: string): { error: RowError } => ({
  error: { code: 'IMPORT_MALFORMED_ROW', message },
});

/** A CSV text as the value its field's type takes; what cannot be read is left for the check to name. */
function csvValue(text: string, typeName: string): unknown {
  if (typeName === 'Int' && /^[+-]?\d+$/.test(text)) return Number(text);
  if (typeName === 'Float' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  if (typeName === 'Boolean' && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  return text;
}

/** The row a CSV record gives: empty fields are left out. */
export function csvRow(shape: RowShape, header: readonly string[], text: string): CheckedRow {
  const parsed = csvFields(text);
  if ('error' in parsed) return malformed(`Not CSV: ${parsed.error}.`);
  if (parsed.fields.length !== header.length)
    return malformed(`${parsed.fields.length} fields where the header has ${header.length}.`);
  const value: Record<string, unknown> = {};
  parsed.fields.forEach((text, index) => {
    const leaf = shape.leaves.get(header[index] ?? '');
    if (leaf === undefined || text === '') return;
    let target = value;
    for (const part of leaf.path.slice(0, -1)) {
      target[part] ??= {};
      target = target[part] as Record<string, unknown>;
    }
    target[leaf.path.at(-1)!] = csvValue(text, leaf.typeName);
  });
  return { value };
}

/** The row an NDJSON line gives: one JSON object. */
export function jsonRow(text: string): CheckedRow {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return malformed(`Not JSON: ${(error as Error).message}.`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return malformed('A line must be one JSON object.');
  const { [rejectedField]: _ignored, ...row } = value as Record<string, unknown>;
  return { value: row };
}

/** Sorted keys, no nulls, instants in UTC: one text per content, whatever the file's spelling. */
function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .filter((key) => object[key] !== null && object[key] !== undefined)
      .map((key) => [key, canonical(object[key])]),
  );
}

/**
 * The idempotency key of a row that gives none: `import:` and the SHA-256 of the kind and the
 * row's content, so that the same row imported again, from this file or another, is a duplicate.
 */
export function derivedKey(kind: ImportKind, coerced: Record<string, unknown>): string {
  const { idempotencyKey: _key, ...content } = coerced;
  const text = JSON.stringify(['notarium-import/1', kind, canonical(content)]);
  return `import:${createHash('sha256').update(text).digest('hex')}`;
}

const placeholderKey = 'import:derived';

/**
 * Checks a row against its GraphQL input type, as the server coerces it: a row that would fail
 * the whole request (a missing field, an unknown enum value, a malformed instant) is rejected
 * here instead, alone. Fills in the derived idempotency key.
 */
export function checkRow(shape: RowShape, row: Record<string, unknown>): CheckedRow {
  const derive =
    shape.derivesKey &&
    (row.idempotencyKey === undefined || row.idempotencyKey === null || row.idempotencyKey === '');
  const value = derive ? { ...row, idempotencyKey: placeholderKey } : row;
  const problems: string[] = [];
  const coerced = coerceInputValue(
    value,
    new GraphQLNonNull(shape.type) as GraphQLInputType,
    (path, _v, error) => {
      problems.push(path.length > 0 ? `${path.join('.')}: ${error.message}` : error.message);
    },
  ) as Record<string, unknown> | undefined;
  if (problems.length > 0 || coerced === undefined)
    return { error: { code: 'VALIDATION_FAILED', message: problems.join(' ') } };
  if (derive) value.idempotencyKey = derivedKey(shape.kind, coerced);
  return { value };
}
