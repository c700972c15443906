import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.js';

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !isoDateTime.test(value)) {
    throw new GraphQLError(
      'DateTime must be an ISO 8601 string with a time zone, e.g. 2026-01-31T12:00:00Z.',
      {
        extensions: { code: 'BAD_USER_INPUT' },
      },
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime ${value} is not a real instant.`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string; always returned in UTC, e.g. 2026-01-31T12:00:00.000Z.',
  serialize: (value) => value.toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) {
      throw new GraphQLError('DateTime must be a string.', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parseDateTime(node.value);
  },
});

const localePattern = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

function parseLocale(value: unknown): string {
  if (typeof value === 'string' && localePattern.test(value)) {
    try {
      const [canonical] = Intl.getCanonicalLocales(value);
      if (canonical) return canonical;
    } catch {
      // falls through to the coded error below
    }
  }
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
