import { GraphQLError } from 'graphql';
import type { Logger } from '../log/logger.js';
import { currentRequestId } from '../log/request-scope.js';

function isIntended(error: GraphQLError): boolean {
  const original = error.originalError;
  return original === undefined || original === null || original instanceof GraphQLError;
}

/**
 * Errors we raised on purpose (GraphQLError with a code) pass through; anything else is
 * logged in full with the request ID and replaced by a message that reveals nothing.
 */
export function maskUnexpectedError(logger: Logger) {
  return (error: unknown): Error => {
    if (error instanceof GraphQLError && isIntended(error)) return error;
    const requestId = currentRequestId();
    const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    logger.error('unexpected error', {
      error: cause,
      path: error instanceof GraphQLError ? error.path : undefined,
    });
    return new GraphQLError('Unexpected error. Quote the request ID when reporting it.', {
      path: error instanceof GraphQLError ? error.path : undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    });
  };
}
