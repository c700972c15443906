import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  parse,
} from 'graphql';
import { expect } from 'vitest';
import type { App } from '../../../src/app.js';
import type { PrismaClient } from '../../../src/generated/prisma/client.js';
import { schema } from '../../../src/graphql/schema.js';
import { type Role, type RoleGroup, roles } from '../../../src/modules/access/access.policy.js';
import { issueApiKey } from '../../../src/modules/api-key/api-key.service.js';
import { execute, type GraphQLResponse } from '../../support/client.js';

export const allRoles = ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR', 'REGULATOR'] as const;

export function mutationFields(): GraphQLField<unknown, unknown>[] {
  const mutation = schema.getMutationType();
  if (!mutation) throw new Error('the schema has no Mutation type');
  return Object.values(mutation.getFields()).sort((a, b) => a.name.localeCompare(b.name));
}

/** The roles a root field's scope map admits. Every mutation declares `{ role: <group> }`. */
export function allowedRoles(field: GraphQLField<unknown, unknown>): readonly Role[] {
  const scopes = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes;
  expect(scopes, `${field.name} must declare a { role } scope map`).toEqual({ role: expect.any(String) });
  return roles[(scopes as { role: RoleGroup }).role];
}

/** The success payload of a mutation: the member of its result union that is not an Error. */
export function payloadType(field: GraphQLField<unknown, unknown>): GraphQLObjectType {
  const result = getNamedType(field.type);
  const members = isUnionType(result) ? result.getTypes() : isObjectType(result) ? [result] : [];
  const payloads = members.filter((member) => !member.getInterfaces().some((i) => i.name === 'Error'));
  expect(payloads, `${field.name} has one success payload`).toHaveLength(1);
  return payloads[0]!;
}

const scalarSamples: Record<string, unknown> = {
  String: '',
  ID: '',
  Int: -1,
  Float: -1,
  Boolean: false,
  DateTime: '2000-01-01T00:00:00.000Z',
  Locale: 'en',
  JSON: {},
};

/**
 * A value the GraphQL layer accepts (right types, every required field) whose content the
 * domain refuses: empty strings and IDs, negative numbers, empty lists, a date long past.
 */
export function invalidInput(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return invalidInput(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isScalarType(type)) {
    if (!(type.name in scalarSamples)) throw new Error(`no sample for scalar ${type.name}`);
    return scalarSamples[type.name];
  }
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((inputField) => isNonNullType(inputField.type))
        .map((inputField) => [inputField.name, invalidInput(inputField.type)]),
    );
  }
  throw new Error(`unexpected input type ${String(type)}`);
}

/**
 * A selection of every field reachable from a type, down to `depth` levels of objects; fields
 * that need arguments are left out, and so is a type already on the path.
 */
export function selectEverything(type: GraphQLOutputType, depth: number, path: string[] = []): string {
  const named = getNamedType(type);
  if (!isObjectType(named) && !isInterfaceType(named) && !isUnionType(named)) return '';
  if (isUnionType(named)) {
    return `{ __typename ${named
      .getTypes()
      .map((member) => `... on ${member.name} ${selectEverything(member, depth, path)}`)
      .join(' ')} }`;
  }
  const parts: string[] = ['__typename'];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type))) continue;
    const fieldType = getNamedType(field.type);
    if (isObjectType(fieldType) || isInterfaceType(fieldType) || isUnionType(fieldType)) {
      if (depth === 0 || path.includes(fieldType.name)) continue;
      parts.push(`${field.name} ${selectEverything(field.type, depth - 1, [...path, named.name])}`);
    } else {
      parts.push(field.name);
    }
  }
  return `{ ${parts.join(' ')} }`;
}

/**
 * Arguments the GraphQL layer accepts that the domain refuses (see invalidInput), one for each
 * required argument: `input` for most mutations, an `id` for the few that take only that. Null
 * for a mutation whose arguments are all optional (e.g. `purgeExpiredRecords`): it has no
 * invalid input, only a call with none.
 */
export function invalidArguments(field: GraphQLField<unknown, unknown>): Record<string, unknown> | null {
  const required = field.args.filter((arg) => isNonNullType(arg.type));
  if (required.length === 0) return null;
  return Object.fromEntries(required.map((arg) => [arg.name, invalidInput(arg.type)]));
}

/** Sends one `input` to a mutation and selects `selection` on its result. */
export function callMutation(
  app: App,
  field: GraphQLField<unknown, unknown>,
  key: string,
  input: unknown,
  selection = '{ __typename ... on Error { code } }',
): Promise<GraphQLResponse<Record<string, unknown>>> {
  if (!field.args.some((arg) => arg.name === 'input')) throw new Error(`${field.name} takes no input`);
  return callMutationWith(app, field, key, { input }, selection);
}

/** Sends `args` (by argument name) to a mutation and selects `selection` on its result. */
export function callMutationWith(
  app: App,
  field: GraphQLField<unknown, unknown>,
  key: string,
  args: Record<string, unknown>,
  selection = '{ __typename ... on Error { code } }',
): Promise<GraphQLResponse<Record<string, unknown>>> {
  const declared = field.args.filter((arg) => arg.name in args);
  const variables = declared.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
  const passed = declared.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const document = parse(
    declared.length === 0
      ? `mutation Walk { ${field.name} ${selection} }`
      : `mutation Walk(${variables}) { ${field.name}(${passed}) ${selection} }`,
  ) as TypedDocumentNode<Record<string, unknown>, Record<string, unknown>>;
  return execute(app, document, { key, variables: args });
}

/** A REGULATOR key bound to a fresh request of the controller. */
export async function makeRegulatorKey(prisma: PrismaClient, controllerId: string): Promise<string> {
  const request = await prisma.regulatorRequest.create({
    data: { controllerId, authority: 'Test authority', reference: 'walk', noticeKeys: ['none'] },
  });
  const { secret } = await issueApiKey(prisma, controllerId, {
    name: 'regulator',
    role: 'REGULATOR',
    expiresAt: new Date(Date.now() + 24 * 60 * 60 * 1000),
    regulatorRequestId: request.id,
  });
  return secret;
}
