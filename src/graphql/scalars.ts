import { GraphQLError, Kind } from 'graphql';
import { parseIsoInstant } from '../lib/iso-instant.js';
import { canonicalLocale } from '../lib/locale.js';
import { builder } from './builder.js';

function badDateTime(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** The instant, checked against the calendar (src/lib/iso-instant.ts), or a BAD_USER_INPUT error. */
export function parseDateTime(value: unknown): Date {
  const parsed = parseIsoInstant(value);
  if ('problem' in parsed) throw badDateTime(parsed.problem);
  return parsed.date;
}

builder.scalarType('DateTime', {
  description:
    'An instant as an ISO 8601 string with a time zone, from the year 1 to 9999; always returned in UTC, e.g. 2026-01-31T12:00:00.000Z.',
  serialize: (value) => value.toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be a string.', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parseDateTime(node.value);
  },
});

function parseLocale(value: unknown): string {
  const canonical = canonicalLocale(value);
  if (canonical !== null) return canonical;
  throw new GraphQLError(
    `Locale must be a BCP 47 language tag such as "de" or "pt-BR"; got ${JSON.stringify(value)}.`,
    {
      extensions: { code: 'BAD_USER_INPUT' },
    },
  );
}

builder.scalarType('Locale', {
  description: 'A BCP 47 language tag, e.g. "de", "de-AT", "pt-BR"; returned in canonical case.',
  serialize: (value) => value,
  parseValue: parseLocale,
  parseLiteral: (node) => parseLocale(node.kind === Kind.STRING ? node.value : null),
});

builder.scalarType('JSON', {
  description:
    'Any JSON value; used only where the shape truly varies (e.g. a changed field’s old and new value).',
  serialize: (value) => value,
  parseValue: (value) => value,
});
