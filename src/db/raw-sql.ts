import { Prisma } from '../generated/prisma/client.js';

/**
 * The one reviewed home of raw-SQL helpers (docs/decisions/0009-raw-sql.md).
 *
 * Every raw statement is written as a tagged `$queryRaw` / `$executeRaw` template or composed from
 * `Prisma.sql` fragments, so every value travels as a bound parameter. The lint plugin
 * `lint/no-unsafe-raw-sql.grit` refuses `$queryRawUnsafe`, `$executeRawUnsafe` and `Prisma.raw`
 * everywhere except this file. Statements that vary (eligibility, evidence scopes) are composed
 * from constant fragments, and the bulk side channel (bulk-parameters.ts) passes its token as an
 * ordinary bound parameter. SQL text built from a string is built here, with a comment saying why
 * the string cannot carry anything but reviewed SQL: today only `columnList`, select lists of the
 * schema's own column names.
 */

/** A timestamp column as ISO 8601 UTC with milliseconds, formatted by the database. */
export function isoUtc(column: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The conditions joined with AND; TRUE when there are none. */
export function allOf(conditions: readonly Prisma.Sql[]): Prisma.Sql {
  return conditions.length === 0 ? Prisma.sql`TRUE` : Prisma.join(conditions, ' AND ');
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `alias."column", …` for a select list. The names come from Prisma's generated field enums (the
 * schema's own column names), never from a request; each must be a plain identifier, or this
 * throws, so nothing else can reach the SQL text.
 */
export function columnList(alias: string, columns: readonly string[]): Prisma.Sql {
  for (const name of [alias, ...columns]) {
    if (!identifier.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  }
  return Prisma.raw(columns.map((column) => `${alias}."${column}"`).join(', '));
}
