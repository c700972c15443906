import {
  type ASTVisitor,
  type DocumentNode,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  typeFromAST,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isStorableText } from '../lib/storable-text.js';

/**
 * The items of bulk writes: their service checks such text row by row and answers a bad row with
 * its own REJECTED result, so one bad row does not cost the batch its other rows.
 */
export const rowCheckedInputs = new Set([
  'NotificationInput',
  'NotificationEventInput',
  'ResponseInput',
  'RecordNotificationColumnsInput',
]);

const reason = 'contains U+0000 or an unpaired surrogate, which cannot be stored as sent';

export function badTextError(path: string): GraphQLError {
  return new GraphQLError(`Input ${path} ${reason}.`, {
    extensions: { code: 'BAD_USER_INPUT', path, http: { status: 400 } },
  });
}

/** The path of the first string anywhere in a value that cannot be stored, else null. */
export function firstUnstorableText(value: unknown, path: string): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = firstUnstorableText(value[index], `${path}[${index}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isStorableText(key)) return `${path}.<key>`;
      const found = firstUnstorableText(item, `${path}.${key}`);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Walks a variable's value along its declared type; other shapes are left to coercion. */
function firstUnstorableInput(type: GraphQLInputType, value: unknown, path: string): string | null {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return firstUnstorableInput(type.ofType, value, path);
  if (isListType(type)) {
    if (!Array.isArray(value)) return firstUnstorableInput(type.ofType, value, path);
    for (let index = 0; index < value.length; index++) {
      const found = firstUnstorableInput(type.ofType, value[index], `${path}[${index}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (isInputObjectType(type)) {
    if (rowCheckedInputs.has(type.name) || typeof value !== 'object') return null;
    const fields = type.getFields();
    for (const [key, item] of Object.entries(value)) {
      const field = fields[key];
      if (field === undefined) continue;
      const found = firstUnstorableInput(field.type, item, `${path}.${key}`);
      if (found !== null) return found;
    }
    return null;
  }
  return isScalarType(type) ? firstUnstorableText(value, path) : null;
}

export function unstorableVariable(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
): string | null {
  const operation = getOperationAST(document, operationName);
  for (const definition of operation?.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (type === undefined) continue;
    const found = firstUnstorableInput(type, variables[name], `$${name}`);
    if (found !== null) return found;
  }
  return null;
}

/** String literals in the document: refused in validation, before anything runs. */
export function storableTextRule(context: ValidationContext): ASTVisitor {
  const objects: (string | null)[] = [];
  return {
    ObjectValue: {
      enter() {
        objects.push(getNamedType(context.getInputType())?.name ?? null);
      },
      leave() {
        objects.pop();
      },
    },
    StringValue(node) {
      if (isStorableText(node.value) || objects.some((name) => name !== null && rowCheckedInputs.has(name)))
        return;
      context.reportError(
        new GraphQLError(`A string literal ${reason}.`, {
          nodes: [node],
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      );
    },
  };
}

/**
 * One check for every string input of every field: variables along their declared types before
 * execution, literals in validation. Resolvers never see such text, except bulk rows, which
 * their services refuse one by one.
 */
export function storableTextOnly(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(storableTextRule);
    },
    onExecute({ args, setResultAndStopExecution }) {
      const path = unstorableVariable(
        args.schema,
        args.document,
        args.operationName,
        args.variableValues ?? {},
      );
      if (path !== null) setResultAndStopExecution({ errors: [badTextError(path)] });
    },
  };
}
