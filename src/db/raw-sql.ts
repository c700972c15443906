import { Prisma } from '../generated/prisma/client.js';

/**
 * The one reviewed home of raw-SQL helpers (docs/decisions/0009-raw-sql.md).
 *
 * Every raw statement is written as a tagged `$queryRaw` / `$executeRaw` template or composed from
 * `Prisma.sql` fragments, so every value travels as a bound parameter. The lint plugin
 * `lint/no-unsafe-raw-sql.grit` refuses `$queryRawUnsafe`, `$executeRawUnsafe` and `Prisma.raw`
 * everywhere except this file. Nothing needs them today: statements that vary (eligibility,
 * evidence scopes) are composed from constant fragments, and the bulk side channel
 * (bulk-parameters.ts) passes its token as an ordinary bound parameter. Should SQL text ever have
 * to be built from a string, the function that does it belongs here, with a comment saying why the
 * string cannot carry anything but reviewed SQL.
 */

/** A timestamp column as ISO 8601 UTC with milliseconds, formatted by the database. */
export function isoUtc(column: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The conditions joined with AND; TRUE when there are none. */
export function allOf(conditions: readonly Prisma.Sql[]): Prisma.Sql {
  return conditions.length === 0 ? Prisma.sql`TRUE` : Prisma.join(conditions, ' AND ');
}
