import {
  ConflictError,
  type ExpectedError,
  ForbiddenStateError,
  InputValidationError,
  NotFoundError,
} from '../domain/errors.js';
import { builder } from './builder.js';

export const ErrorInterface = builder.interfaceRef<ExpectedError>('Error').implement({
  description: 'An expected failure, returned as data. `code` is stable; `message` is for people.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable machine-readable code, e.g. VALIDATION_FAILED.' }),
    message: t.exposeString('message', { description: 'Human-readable explanation.' }),
  }),
});

const FieldIssueRef = builder
  .objectRef<{ path: readonly string[]; message: string }>('FieldIssue')
  .implement({
    description: 'One invalid input field.',
    fields: (t) => ({
      path: t.stringList({
        description: 'Path of the field inside the input.',
        resolve: (issue) => [...issue.path],
      }),
      message: t.exposeString('message', { description: 'What is wrong with it.' }),
    }),
  });

builder.objectType(InputValidationError, {
  name: 'InputValidationError',
  description: 'The input was invalid. Lists every invalid field, not only the first; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({
      type: [FieldIssueRef],
      description: 'Every invalid field with its path.',
      resolve: (error) => [...error.issues],
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The referenced object does not exist or is not visible to the caller.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    resource: t.exposeString('resource', { description: 'Kind of object that was looked for.' }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The write conflicts with existing data (e.g. a unique key is taken).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { nullable: true, description: 'The conflicting input field, if one.' }),
  }),
});

builder.objectType(ForbiddenStateError, {
  name: 'ForbiddenStateError',
  description: "The target's current state does not allow this action.",
  interfaces: [ErrorInterface],
});

/** The expected failures every mutation may return. */
export const commonErrors = [InputValidationError, NotFoundError, ConflictError, ForbiddenStateError];
