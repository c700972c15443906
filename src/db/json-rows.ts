/**
 * Rows for a set-based statement, as one parameter: UTF-8 JSON in a bytea. Read it in SQL with
 * `json_to_recordset(convert_from($n::bytea, 'UTF8')::json) AS t(…)`.
 *
 * Why bytes and not text or arrays: Prisma's raw-query path serialises every parameter to JSON and
 * parses it back before the driver sees it. A JSON text of a few megabytes is escaped and
 * unescaped on the way (measured at ~6 µs per notification row); one array per column is walked
 * element by element, then escaped again by pg into array literals. Bytes pass through as base64,
 * and pg sends them to the server as a binary parameter.
 */
export function jsonRows(rows: readonly unknown[]): Buffer {
  return Buffer.from(JSON.stringify(rows), 'utf8');
}
