import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { withCode } from './mask-errors.js';

/**
 * A request that never reached execution (no query, a `{}` body, bad multipart, a syntax or
 * validation error, a refused cost) has no `data` and is answered 400 whatever the Accept header;
 * graphql-yoga would answer some of them 200 under `application/json`, which clients and
 * alerting read as success. Errors that carry their own status (401, 429, 503) keep it; an
 * unexpected error with no data is 500.
 */
export const requestErrorsAre400: Plugin = {
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
    if ('data' in result && result.data !== undefined) return;
    let changed = false;
    const errors = result.errors.map((error) => {
      if (!(error instanceof GraphQLError)) return error;
      if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') {
        changed = true;
        return new GraphQLError(error.message, {
          path: error.path,
          originalError: error.originalError,
          extensions: { ...error.extensions, http: { status: 500 } },
        });
      }
      const http = error.extensions?.http as { spec?: boolean; status?: number } | undefined;
      const keepsStatus = http?.status !== undefined && !http.spec;
      if (keepsStatus && typeof error.extensions.code === 'string') return error;
      changed = true;
      const coded = withCode(error, http?.spec ? 'BAD_REQUEST' : 'BAD_USER_INPUT');
      return new GraphQLError(coded.message, {
        nodes: coded.nodes,
        source: coded.source,
        positions: coded.positions,
        path: coded.path,
        originalError: coded.originalError,
        extensions: {
          ...coded.extensions,
          http: { status: keepsStatus ? http?.status : (http?.status ?? 400) },
        },
      });
    });
    if (changed) setResult({ ...result, errors });
  },
};

/**
 * In production no error names what the caller might have meant: graphql-js suggests fields,
 * arguments, types and enum values ("Did you mean …?") in validation and in variable coercion,
 * which would map the schema while introspection is off.
 */
export const noSuggestions: Plugin = {
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
    if (!result.errors.some((error) => error.message.includes('Did you mean'))) return;
    setResult({
      ...result,
      errors: result.errors.map((error) =>
        error.message.includes('Did you mean')
          ? new GraphQLError(error.message.replace(/\s*Did you mean [^?]*\?/g, '').trim(), {
              nodes: error.nodes,
              source: error.source,
              positions: error.positions,
              path: error.path,
              originalError: error.originalError,
              extensions: error.extensions,
            })
          : error,
      ),
    });
  },
};
