import { GraphQLError, Kind } from 'graphql';
import { canonicalLocale } from '../lib/locale.js';
import { builder } from './builder.js';

const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))$/i;

const monthLengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function badDateTime(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/**
 * `new Date('2026-02-30T00:00:00Z')` is 2 March: JavaScript rolls impossible dates over. Every
 * field is checked against the calendar instead, so what is stored is what was sent.
 */
export function parseDateTime(value: unknown): Date {
  const match = typeof value === 'string' ? isoDateTime.exec(value) : null;
  if (match === null) {
    throw badDateTime('DateTime must be an ISO 8601 string with a time zone, e.g. 2026-01-31T12:00:00Z.');
  }
  const [year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => (part === undefined || part === '+' || part === '-' ? 0 : Number(part)));
  const daysInMonth = monthLengths[(month ?? 1) - 1] ?? 0;
  const leapDay = month === 2 && day === 29 && isLeapYear(year ?? 0);
  const valid =
    (month ?? 0) >= 1 &&
    (month ?? 0) <= 12 &&
    (day ?? 0) >= 1 &&
    ((day ?? 0) <= daysInMonth || leapDay) &&
    (hour ?? 0) <= 23 &&
    (minute ?? 0) <= 59 &&
    (second ?? 0) <= 59 &&
    (offsetHours ?? 0) <= 23 &&
    (offsetMinutes ?? 0) <= 59;
  const date = new Date(value as string);
  if (!valid || Number.isNaN(date.getTime())) {
    throw badDateTime(`DateTime ${value as string} is not a real instant.`);
  }
  // ISO 8601's year 0000 is 1 BC, which PostgreSQL does not accept written that way.
  if (date.getUTCFullYear() < 1) {
    throw badDateTime(`DateTime ${value as string} is before the year 1.`);
  }
  return date;
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
