import { GraphQLError } from 'graphql';
import type { YogaLogger } from 'graphql-yoga';
import type { Logger } from './logger.js';

/**
 * graphql-yoga's own log calls, through our logger. Yoga logs at `error` every error the masking
 * replaced — also input errors such as `Variable "$ref" got invalid value …`, whose message repeats
 * what the client sent (a subject reference, say). Those are the caller's mistakes, answered to the
 * caller: logged at debug with their code and path only. Unexpected errors are logged in full by
 * `maskUnexpectedError` (src/graphql/mask-errors.ts).
 */
export function yogaLogging(logger: Logger): YogaLogger {
  const text = (value: unknown) => (value instanceof GraphQLError ? 'GraphQL error' : String(value));
  const graphqlFields = (value: unknown) =>
    value instanceof GraphQLError ? { code: value.extensions?.code ?? null, path: value.path ?? null } : {};
  return {
    debug: (...args) => logger.debug(text(args[0]), graphqlFields(args[0])),
    info: (...args) => logger.info(text(args[0]), graphqlFields(args[0])),
    warn: (...args) => logger.warn(text(args[0]), graphqlFields(args[0])),
    error: (...args) => {
      if (args[0] instanceof GraphQLError) logger.debug(text(args[0]), graphqlFields(args[0]));
      else logger.error(text(args[0]), { detail: args[1] });
    },
  };
}
