import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
}

export const defaultQueryLimits: QueryLimits = { maxDepth: 12, maxAliases: 30, maxCost: 20_000 };

/** Connections serve at most this many items a page, and this many when not asked. */
export const maxPageSize = 100;
export const defaultPageSize = 20;

/** How many items a field may return: `first`/`last` (a variable read from the request), else 1. */
function pageSize(
  args: readonly { name: { value: string }; value: ValueNode }[],
  variables: Record<string, unknown>,
): number {
  for (const arg of args) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    const value =
      arg.value.kind === Kind.INT
        ? Number(arg.value.value)
        : arg.value.kind === Kind.VARIABLE
          ? variables[arg.value.name.value]
          : null;
    return typeof value === 'number' && Number.isFinite(value)
      ? Math.min(Math.max(1, value), maxPageSize)
      : maxPageSize;
  }
  return 1;
}

/** What a selection set costs, relative to where it is used (depth 0, multiplier 1). */
export interface Measure {
  depth: number;
  cost: number;
  aliases: number;
}

/**
 * Measures operations with every fragment counted as if expanded in place, so nothing — not a
 * fragment, not one named like an introspection field — escapes the count. Each fragment is
 * measured once and reused at every spread: cost scales linearly with the multiplier it is
 * spread under, so a fragment's figures at multiplier 1 suffice. The work is linear in the
 * document, however the fragments fan out. Only real `__schema`/`__type` *fields* at the root
 * are introspection; they are limited by the introspection setting instead.
 */
export class DocumentMeasurer {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly measured = new Map<string, Measure | 'measuring'>();
  /** Fragment bodies walked so far: at most one per fragment definition. */
  fragmentWalks = 0;

  constructor(
    document: DocumentNode,
    private readonly variables: Record<string, unknown>,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
  }

  operation(operation: OperationDefinitionNode): Measure {
    return this.selectionSet(operation.selectionSet, true);
  }

  private fragment(name: string): Measure {
    const known = this.measured.get(name);
    // A cycle (refused by validation anyway) contributes nothing rather than recursing forever.
    if (known === 'measuring') return { depth: 0, cost: 0, aliases: 0 };
    if (known) return known;
    const definition = this.fragments.get(name);
    if (!definition) return { depth: 0, cost: 0, aliases: 0 };
    this.measured.set(name, 'measuring');
    this.fragmentWalks += 1;
    const result = this.selectionSet(definition.selectionSet, false);
    this.measured.set(name, result);
    return result;
  }

  private selectionSet(selectionSet: SelectionSetNode, atRoot: boolean): Measure {
    const result: Measure = { depth: 0, cost: 0, aliases: 0 };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (atRoot && (selection.name.value === '__schema' || selection.name.value === '__type')) continue;
        if (selection.alias) result.aliases += 1;
        result.cost += 1;
        result.depth = Math.max(result.depth, 1);
        if (selection.selectionSet) {
          const child = this.selectionSet(selection.selectionSet, false);
          const multiplier = pageSize(selection.arguments ?? [], this.variables);
          add(result, child, 1, multiplier);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        add(result, this.selectionSet(selection.selectionSet, atRoot), 0, 1);
      } else {
        // A fragment spread at the root is treated like any other selection set: a field named
        // __schema inside a fragment is counted, not exempted.
        add(result, this.fragment(selection.name.value), 0, 1);
      }
    }
    return result;
  }
}

function add(into: Measure, child: Measure, depthOffset: number, multiplier: number): void {
  into.depth = Math.max(into.depth, depthOffset + child.depth);
  into.cost += multiplier * child.cost;
  into.aliases += child.aliases;
}

/**
 * Cost depends on the variables (`first: $n`), so it is checked at execution, not in validation,
 * whose results are cached per document.
 */
export function costError(
  document: DocumentNode,
  variables: Record<string, unknown>,
  operationName: string | null | undefined,
  maxCost: number,
): GraphQLError | null {
  const measurer = new DocumentMeasurer(document, variables);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && definition.name?.value !== operationName) continue;
    const { cost } = measurer.operation(definition);
    if (cost > maxCost) {
      return new GraphQLError(`Query cost ${cost} exceeds the limit of ${maxCost}; ask for smaller pages.`, {
        extensions: { code: 'QUERY_TOO_COSTLY' },
      });
    }
  }
  return null;
}

/** A validation rule enforcing depth, alias and (variable-free) cost limits before any resolver. */
export function queryShapeRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const measurer = new DocumentMeasurer(context.getDocument(), {});
    return {
      OperationDefinition(operation) {
        const result = measurer.operation(operation);
        if (result.depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`Query depth ${result.depth} exceeds the limit of ${limits.maxDepth}.`, {
              extensions: { code: 'QUERY_TOO_DEEP' },
            }),
          );
        }
        if (result.aliases > limits.maxAliases) {
          context.reportError(
            new GraphQLError(`The query uses ${result.aliases} aliases; the limit is ${limits.maxAliases}.`, {
              extensions: { code: 'TOO_MANY_ALIASES' },
            }),
          );
        }
      },
    };
  };
}
