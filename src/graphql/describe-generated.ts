import { type GraphQLSchema, isObjectType, isUnionType } from 'graphql';

const pageInfoFields: Record<string, string> = {
  hasNextPage: 'Whether more items follow this page.',
  hasPreviousPage: 'Whether items precede this page.',
  startCursor: 'Cursor of the first item on this page.',
  endCursor: 'Cursor of the last item on this page.',
};

const connectionArgs: Record<string, string> = {
  first: 'How many items to return from the start (after `after`).',
  after: 'Return items after this cursor.',
  last: 'How many items to return from the end (before `before`).',
  before: 'Return items before this cursor.',
};

/**
 * The relay and errors plugins generate connection, edge, page-info and result types without
 * descriptions. The SDL is the public documentation, so they are filled in here, in one place.
 */
export function describeGeneratedTypes(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isUnionType(type) && !type.description && type.name.endsWith('Result')) {
      type.description = 'The payload on success, otherwise one of the expected errors.';
    }
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    if (type.name.endsWith('Connection') && !type.description) {
      type.description = 'A page of a list, with cursors to move through it.';
    }
    if (type.name.endsWith('Edge') && !type.description)
      type.description = 'An item in a page, with its cursor.';
    for (const field of Object.values(fields)) {
      if (type.name === 'PageInfo') field.description ??= pageInfoFields[field.name];
      if (type.name.endsWith('Connection') && field.name === 'edges')
        field.description ??= 'The items on this page.';
      if (type.name.endsWith('Connection') && field.name === 'pageInfo')
        field.description ??= 'Where this page is.';
      if (type.name.endsWith('Edge') && field.name === 'cursor')
        field.description ??= 'Opaque cursor of this item.';
      if (type.name.endsWith('Edge') && field.name === 'node') field.description ??= 'The item.';
      if (field.name === 'id' && field.type.toString() === 'ID!') field.description ??= 'Global ID (Relay).';
      for (const arg of field.args)
        if (connectionArgs[arg.name]) arg.description ??= connectionArgs[arg.name];
    }
  }
  return schema;
}
