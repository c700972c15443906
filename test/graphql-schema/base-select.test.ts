import { type GraphQLObjectType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.js';

/**
 * plugin-prisma wraps every field that carries a selection of its own with a lookup of the
 * request's loading plan (ADR 0049): a few microseconds for each field of each row. A column the
 * type's base selection always reads needs no such lookup, so a field that selects only such
 * columns pays for nothing.
 */
type Selection = Record<string, unknown>;

const selectionOf = (extensions: unknown): Selection | undefined =>
  (extensions as { pothosPrismaSelect?: Selection | false } | undefined)?.pothosPrismaSelect || undefined;

function prismaSelectTypes(): GraphQLObjectType[] {
  return Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType => isObjectType(type) && selectionOf(type.extensions) !== undefined,
  );
}

describe('the base selections of select-mode Prisma types', () => {
  it('leave no field selecting only columns the base selection already reads', () => {
    const redundant = prismaSelectTypes().flatMap((type) => {
      const base = selectionOf(type.extensions)!;
      return Object.values(type.getFields())
        .filter((field) => {
          const own = selectionOf(field.extensions);
          // A function selects by the field's arguments or nested selection: a relation.
          if (own === undefined || typeof own === 'function') return false;
          const columns = Object.entries(own);
          return (
            columns.length > 0 && columns.every(([column, value]) => value === true && base[column] === true)
          );
        })
        .map((field) => `${type.name}.${field.name}`);
    });
    expect(redundant).toEqual([]);
  });

  it.each([
    ['NoticeVersion', ['status', 'number', 'effectiveFrom']],
    ['PurposeRevision', ['number', 'name', 'legalBasis']],
  ])('%s reads the columns every history shows with its base selection, not per field', (typeName, fields) => {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
    const base = selectionOf(type.extensions)!;
    for (const name of fields) {
      expect(base[name], `${typeName}.${name} in the base selection`).toBe(true);
      expect(
        selectionOf(type.getFields()[name]!.extensions),
        `${typeName}.${name} selects nothing itself`,
      ).toBeUndefined();
    }
  });
});
