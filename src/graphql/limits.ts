import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
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
    return typeof value === 'number' ? Math.min(Math.max(1, value), maxPageSize) : maxPageSize;
  }
  return 1;
}

interface Measure {
  depth: number;
  cost: number;
  aliases: number;
}

/**
 * Walks the operation with every fragment expanded in place, so nothing — not a fragment, not
 * one named like an introspection field — escapes the count. Only real `__schema`/`__type`
 * *fields* at the root are introspection; they are limited by the introspection setting instead.
 */
function measure(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  depth: number,
  multiplier: number,
  visiting: Set<string>,
  result: Measure,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (depth === 0 && (selection.name.value === '__schema' || selection.name.value === '__type')) continue;
      if (selection.alias) result.aliases += 1;
      result.cost += multiplier;
      result.depth = Math.max(result.depth, depth + 1);
      if (selection.selectionSet) {
        const childMultiplier = multiplier * pageSize(selection.arguments ?? [], variables);
        measure(selection.selectionSet, fragments, variables, depth + 1, childMultiplier, visiting, result);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      measure(selection.selectionSet, fragments, variables, depth, multiplier, visiting, result);
    } else {
      const fragment = fragments[selection.name.value];
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      measure(fragment.selectionSet, fragments, variables, depth, multiplier, visiting, result);
      visiting.delete(fragment.name.value);
    }
  }
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
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
  const fragments = fragmentsOf(document);
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && definition.name?.value !== operationName) continue;
    const result: Measure = { depth: 0, cost: 0, aliases: 0 };
    measure(definition.selectionSet, fragments, variables, 0, 1, new Set(), result);
    if (result.cost > maxCost) {
      return new GraphQLError(
        `Query cost ${result.cost} exceeds the limit of ${maxCost}; ask for smaller pages.`,
        {
          extensions: { code: 'QUERY_TOO_COSTLY' },
        },
      );
    }
  }
  return null;
}

/** A validation rule enforcing depth and alias limits; it runs before any resolver. */
export function queryShapeRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(operation) {
        const result: Measure = { depth: 0, cost: 0, aliases: 0 };
        measure(operation.selectionSet, fragments, {}, 0, 1, new Set(), result);
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
