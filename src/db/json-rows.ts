import { Prisma } from '../generated/prisma/client.js';

/**
 * Rows for a set-based statement, as one parameter: UTF-8 JSON in a bytea. Read it in SQL with
 * `json_to_recordset(${jsonParameter(token)}) AS t(…)`, and hand it over with `withBulkParameter`
 * (bulk-parameters.ts), which keeps it out of Prisma's parameter round trip.
 *
 * Why one JSON value and not one array per column: Prisma walks every array element, and pg
 * escapes each one again into an array literal; JSON.stringify is one native call, and the
 * driver sends bytes to the server as a binary parameter.
 */
export function jsonRows(rows: readonly unknown[]): Buffer {
  return Buffer.from(JSON.stringify(rows), 'utf8');
}

/** The held rows as `json` in a statement: `token` (from withBulkParameter) is bound as a parameter. */
export function jsonParameter(token: string): Prisma.Sql {
  return Prisma.sql`convert_from(${token}::bytea, 'UTF8')::json`;
}
