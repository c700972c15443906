import { type DocumentNode, getOperationAST } from 'graphql';

/** A GraphQL name of sane length; anything else a client sends as an operation name is not repeated. */
const graphqlName = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The operation name when it is a plain GraphQL name of at most 64 characters, else null. */
export function safeOperationName(name: unknown): string | null {
  return typeof name === 'string' && graphqlName.test(name) ? name : null;
}

/** The name of the operation a document runs (`operationName` picks one of several), if it has one. */
export function executedOperationName(document: DocumentNode, operationName?: string | null): string | null {
  return safeOperationName(getOperationAST(document, operationName ?? undefined)?.name?.value);
}

/**
 * Operation names as metric label values: client-chosen, so bounded. A name that is not a plain
 * GraphQL name becomes `invalid`, none `anonymous`; the first `limit` distinct names keep their
 * own series, later new ones share `other`.
 */
export class OperationLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 100) {}

  label(name: unknown): string {
    if (name === undefined || name === null || name === '' || name === 'Anonymous') return 'anonymous';
    const safe = safeOperationName(name);
    if (safe === null) return 'invalid';
    if (this.seen.has(safe)) return safe;
    if (this.seen.size >= this.limit) return 'other';
    this.seen.add(safe);
    return safe;
  }
}
