import { GraphQLError } from 'graphql';

/** A role that may not use a field: a GraphQL error (not data), coded FORBIDDEN. */
export function forbidden(role: string, fieldName: string): GraphQLError {
  return new GraphQLError(`The ${role} role may not use ${fieldName}.`, {
    extensions: { code: 'FORBIDDEN' },
  });
}
