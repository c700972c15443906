import { hasLoneSurrogate } from './storable-text.js';

/**
 * Canonical JSON, the serialisation every Notarium hash is computed over (notice versions,
 * records, audit entries, bundles): see docs/content-hash.md, rules 3–7.
 */
/**
 * Serialises JSON values with object keys sorted by UTF-16 code units, no whitespace and every
 * string NFC-normalised. Rejects anything JSON cannot represent exactly instead of dropping it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot canonicalise the number ${value}`);
      return JSON.stringify(value);
    case 'string':
      return canonicalString(value);
    case 'object':
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value);
    default:
      throw new TypeError(`Cannot canonicalise a value of type ${typeof value}`);
  }
}

function canonicalArray(values: readonly unknown[]): string {
  const parts: string[] = [];
  // A plain loop, not map(): map() skips holes, which would silently shorten the array.
  for (let i = 0; i < values.length; i++) parts.push(canonicalJson(values[i]));
  return `[${parts.join(',')}]`;
}

function canonicalObject(value: object): string {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(`Cannot canonicalise a ${proto?.constructor?.name ?? 'non-plain'} object`);
  }
  const entries = Object.entries(value).map(([key, item]) => [nfcChecked(key), item] as const);
  entries.sort(([a], [b]) => compareCodeUnits(a, b));
  const parts: string[] = [];
  for (const [i, [key, item]] of entries.entries()) {
    if (i > 0 && entries[i - 1]![0] === key)
      throw new TypeError(`Duplicate key "${key}" after normalisation`);
    if (item === undefined) throw new TypeError(`Cannot canonicalise undefined (key "${key}")`);
    parts.push(`${canonicalString(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}

function canonicalString(value: string): string {
  return JSON.stringify(nfcChecked(value));
}

/** NFC form of a string; refuses a lone surrogate, which has no UTF-8 encoding. */
export function nfcChecked(value: string): string {
  // A lone surrogate has no UTF-8 encoding; hashing it would silently substitute U+FFFD.
  if (hasLoneSurrogate(value)) throw new TypeError('Cannot canonicalise a string with a lone surrogate');
  return value.normalize('NFC');
}

/** Orders strings by UTF-16 code units, which is what `<` on JS strings does. */
export function compareCodeUnits(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
