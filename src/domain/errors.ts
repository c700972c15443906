/**
 * The expected failures of the domain: typed, coded, and free of GraphQL, so that services, the
 * CLI and the HTTP routes share them. The GraphQL layer turns them into typed results
 * (src/graphql/errors.graphql.ts); the CLI prints their code and message on one line.
 */
/** An expected failure: returned as typed data in the schema, with a stable code. */
export abstract class ExpectedError extends Error {
  abstract readonly code: string;
}

export interface FieldIssue {
  readonly path: readonly string[];
  readonly message: string;
}

export class InputValidationError extends ExpectedError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly issues: readonly FieldIssue[]) {
    super(
      `Input is invalid: ${issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
}

export class NotFoundError extends ExpectedError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly resource: string,
    readonly reference: string,
  ) {
    super(`${resource} ${reference} does not exist.`);
  }
}

export class ConflictError extends ExpectedError {
  readonly code = 'CONFLICT';
  constructor(
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** An action the caller's role allows in general but the target's state does not. */
export class ForbiddenStateError extends ExpectedError {
  readonly code = 'FORBIDDEN_BY_STATE';
}

interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

export function validationFailed(issues: readonly StandardIssue[]): InputValidationError {
  return new InputValidationError(
    issues.map((issue) => ({
      path: (issue.path ?? []).map((segment) =>
        typeof segment === 'object' ? String(segment.key) : String(segment),
      ),
      message: issue.message,
    })),
  );
}

/** Why a request's API key was not accepted. */
export type AuthenticationCode =
  | 'UNAUTHENTICATED'
  | 'API_KEY_INVALID'
  | 'API_KEY_REVOKED'
  | 'API_KEY_EXPIRED';

export const authenticationMessages: Record<AuthenticationCode, string> = {
  UNAUTHENTICATED: 'An API key is required: send Authorization: Bearer <key>.',
  API_KEY_INVALID: 'The API key is not valid.',
  API_KEY_REVOKED: 'The API key has been revoked.',
  API_KEY_EXPIRED: 'The API key has expired.',
};
