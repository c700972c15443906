/**
 * Whether a Prisma selection (as plugin-prisma hands it to a resolver) asks only columns of the
 * model: select mode naming columns only, or include mode including no relation. A full row read
 * already (e.g. with `to_jsonb`, src/db/json-records.ts) answers such a selection without a statement.
 */
export function selectsColumnsOnly(
  query: { readonly include?: object; readonly select?: object },
  columns: ReadonlySet<string>,
): boolean {
  if (query.select) {
    return Object.entries(query.select).every(([field, value]) => columns.has(field) && value === true);
  }
  return Object.keys(query.include ?? {}).length === 0;
}
