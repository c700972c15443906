import {
  type GraphQLField,
  type GraphQLNamedType,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';

const rootTypes = new Set(['Query', 'Mutation', 'Subscription']);

function declaresScopes(options: unknown): boolean {
  const scopes = (options as { authScopes?: unknown } | undefined)?.authScopes;
  return scopes !== undefined && scopes !== null;
}

function fieldOptions(field: GraphQLField<unknown, unknown>): unknown {
  return (field.extensions as { pothosOptions?: unknown }).pothosOptions;
}

function typeOptions(type: GraphQLNamedType): unknown {
  return (type.extensions as { pothosOptions?: unknown }).pothosOptions;
}

function rootFields(): { name: string; field: GraphQLField<unknown, unknown> }[] {
  return [...rootTypes].flatMap((rootName) => {
    const root = schema.getType(rootName);
    return isObjectType(root)
      ? Object.values(root.getFields()).map((field) => ({ name: `${rootName}.${field.name}`, field }))
      : [];
  });
}

/** Types that carry no data of their own: only reachable through a field that is itself scoped. */
function isStructural(type: GraphQLNamedType): boolean {
  if (type.name === 'PageInfo' || type.name === 'FieldIssue') return true;
  if (/(Connection|Edge|Payload)$/.test(type.name)) return true;
  return isObjectType(type) && type.getInterfaces().some((implemented) => implemented.name === 'Error');
}

describe('deny by default', () => {
  it('every root field declares the roles that may use it', () => {
    const open = rootFields()
      .filter(({ field }) => !declaresScopes(fieldOptions(field)))
      .map(({ name }) => name);
    expect(open).toEqual([]);
  });

  it('every data-bearing object type is scoped itself or on each of its fields', () => {
    const open: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || rootTypes.has(type.name) || !isObjectType(type) || isStructural(type))
        continue;
      if (declaresScopes(typeOptions(type))) continue;
      for (const field of Object.values(type.getFields())) {
        if (!declaresScopes(fieldOptions(field))) open.push(`${type.name}.${field.name}`);
      }
    }
    expect(open).toEqual([]);
  });

  it('every root field with arguments declares a scope map, so its role is checked before its input', () => {
    const late = rootFields()
      .filter(({ field }) => {
        const scopes = (fieldOptions(field) as { authScopes?: unknown } | undefined)?.authScopes;
        return field.args.length > 0 && typeof scopes !== 'object';
      })
      .map(({ name }) => name);
    expect(late).toEqual([]);
  });

  it('a payload that carries a secret can lose any other field, never the secret', () => {
    const mutation = schema.getMutationType()!;
    const fragile: string[] = [];
    let secretPayloads = 0;
    for (const field of Object.values(mutation.getFields())) {
      const result = getNamedType(field.type);
      for (const member of isUnionType(result) ? result.getTypes() : []) {
        const fields = Object.values(member.getFields());
        if (!fields.some((payloadField) => payloadField.name === 'secret')) continue;
        secretPayloads += 1;
        for (const payloadField of fields) {
          if (payloadField.name !== 'secret' && isNonNullType(payloadField.type))
            fragile.push(`${member.name}.${payloadField.name}`);
        }
      }
    }
    expect(fragile).toEqual([]);
    expect(secretPayloads).toBeGreaterThan(0);
  });

  it('the walk sees scopes where they are declared (guards the test itself)', () => {
    const query = schema.getQueryType();
    expect(query && declaresScopes(fieldOptions(query.getFields().viewer!))).toBe(true);
    expect(declaresScopes(typeOptions(schema.getType('ApiKey')!))).toBe(true);
    expect(declaresScopes(typeOptions(schema.getType('PageInfo')!))).toBe(false);
  });
});

describe('public documentation', () => {
  it('every type, field, argument and enum value has a description', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name))
        continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of field.args)
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      } else if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
        }
      } else if (isEnumType(type)) {
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
      } else if (isUnionType(type) && !type.description) {
        missing.push(type.name);
      }
    }
    expect(missing).toEqual([]);
  });
});
