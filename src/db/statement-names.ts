import { createHash } from 'node:crypto';

/** The default number of distinct statements a process prepares by name (`DATABASE_PREPARED_STATEMENTS`). */
export const defaultPreparedStatements = 500;

/**
 * Names for PostgreSQL prepared statements, one per distinct SQL text, so that each connection
 * parses and plans a statement once and then only binds and executes it (PostgreSQL keeps the
 * plan; docs/decisions/0046-prepared-statements.md). The name is a hash of the text, so that one
 * name never stands for two texts. Only the first `capacity` distinct texts get a name, which
 * bounds what every connection keeps; later ones run unnamed, as all did before. A capacity of 0
 * names none (for a transaction-mode pooler without prepared-statement support).
 */
export function statementNamer(capacity: number): (query: { readonly sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    const known = names.get(sql);
    if (known !== undefined) return known;
    if (names.size >= capacity) return '';
    const name = `notarium_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`;
    names.set(sql, name);
    return name;
  };
}
