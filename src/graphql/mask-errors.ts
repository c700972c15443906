import { GraphQLError } from 'graphql';
import {
  classifyDatabaseFailure,
  type DatabaseFailure,
  databaseRetryAfterSeconds,
} from '../db/database-failure.js';
import type { Logger } from '../log/logger.js';
import { currentRequestId } from '../log/request-scope.js';
import { errorResponse } from './http-responses.js';

function isIntended(error: GraphQLError): boolean {
  const original = error.originalError;
  return original === undefined || original === null || original instanceof GraphQLError;
}

const failureAnswers: Record<DatabaseFailure, { code: string; message: string }> = {
  UNAVAILABLE: {
    code: 'SERVICE_UNAVAILABLE',
    message: 'The database is unavailable; nothing was changed. Retry after the indicated delay.',
  },
  STORAGE_FULL: {
    code: 'STORAGE_FULL',
    message: 'The database has no space left to write; nothing was changed. Reads still work.',
  },
  STATEMENT_TIMEOUT: {
    code: 'STATEMENT_TIMEOUT',
    message:
      'A database statement ran longer than the statement timeout and was stopped; nothing was changed.',
  },
};

/** HTTP 503 with a code and Retry-After for a failure that is the database's state. */
export function databaseFailureError(failure: DatabaseFailure, path?: readonly (string | number)[]) {
  const retryAfter = databaseRetryAfterSeconds[failure];
  const { code, message } = failureAnswers[failure];
  return new GraphQLError(message, {
    path,
    extensions: {
      code,
      requestId: currentRequestId(),
      retryAfterSeconds: retryAfter,
      http: { status: 503, headers: { 'Retry-After': String(retryAfter) } },
    },
  });
}

/**
 * Every error a client sees carries a code. GraphQLErrors raised without one come from argument
 * checks in graphql-js and the Pothos plugins (`first` must be non-negative, a variable of the
 * wrong type, …): the caller's input.
 */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  if (typeof error.extensions?.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

export function databaseFailureResponse(failure: DatabaseFailure, accept: string | null = null): Response {
  const retryAfter = databaseRetryAfterSeconds[failure];
  const { code, message } = failureAnswers[failure];
  return errorResponse(
    503,
    code,
    message,
    { 'Retry-After': String(retryAfter) },
    { retryAfterSeconds: retryAfter },
    accept,
  );
}

/**
 * Errors we raised on purpose (GraphQLError with a code) pass through; a database that is down
 * or full becomes a coded 503; anything else is logged in full with the request ID and replaced
 * by a message that reveals nothing.
 */
export function maskUnexpectedError(logger: Logger) {
  return (error: unknown): Error => {
    if (error instanceof GraphQLError && isIntended(error)) return withCode(error, 'BAD_USER_INPUT');
    const cause = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    const path = error instanceof GraphQLError ? error.path : undefined;
    const failure = classifyDatabaseFailure(cause);
    if (failure !== null) {
      logger.warn('database failure', {
        failure,
        error: cause instanceof Error ? cause.message : cause,
        path,
      });
      return databaseFailureError(failure, path);
    }
    logger.error('unexpected error', { error: cause, path });
    return new GraphQLError('Unexpected error. Quote the request ID when reporting it.', {
      path,
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: currentRequestId() },
    });
  };
}

/**
 * The answer of a plain HTTP route (not GraphQL) that threw: like `maskUnexpectedError`, a coded
 * 503 when the database is down or full, else logged in full and a 500 that reveals nothing but
 * the request ID. Without it the HTTP adapter would answer with the error's stack.
 */
export function unexpectedRouteFailure(
  logger: Logger,
  error: unknown,
  accept: string | null = null,
): Response {
  const failure = classifyDatabaseFailure(error);
  if (failure !== null) {
    logger.warn('database failure', { failure, error: error instanceof Error ? error.message : error });
    return databaseFailureResponse(failure, accept);
  }
  logger.error('unexpected error', { error });
  return errorResponse(
    500,
    'INTERNAL_SERVER_ERROR',
    'Unexpected error. Quote the request ID when reporting it.',
    {},
    { requestId: currentRequestId() },
    accept,
  );
}
