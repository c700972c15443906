import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { validationFailed } from '../domain/errors.js';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { hasRole, type RoleGroup } from '../modules/access/access.policy.js';
import AuthorizeBeforeInputPlugin from './authorize-before-input.js';
import type { Context } from './context.js';
import { forbidden } from './error-results.js';
import { defaultPageSize, maxPageSize } from './limits.js';
import { prismaClientOf } from './prisma-binding.js';

/** The builder defines no types: every type lives in its module. */
export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { role: RoleGroup };
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
    Locale: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  // A field's scope map is checked before its input is validated or its global IDs parsed:
  // a caller without the role gets FORBIDDEN, never a verdict on the input.
  plugins: [
    AuthorizeBeforeInputPlugin,
    ScopeAuthPlugin,
    ErrorsPlugin,
    ValidationPlugin,
    PrismaPlugin,
    RelayPlugin,
    DataloaderPlugin,
  ],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authScopes: (context) => ({
      role: (group: RoleGroup) => hasRole(context.viewer, group),
    }),
    unauthorizedError: (_parent, context, info) => forbidden(context.viewer.role, info.fieldName),
    // Check subscription fields when subscribing, not only when each event arrives.
    authorizeOnSubscribe: true,
  },
  // Lets input validation failures become typed InputValidationError results instead of top-level errors.
  errors: { directResult: true, unsafelyHandleInputErrors: true },
  validation: { validationError: (failure) => validationFailed(failure.issues) },
  prisma: {
    client: (context) => prismaClientOf(context),
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    maxConnectionSize: maxPageSize,
    defaultConnectionSize: defaultPageSize,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: {
      authScopes: { role: 'controllerKeys' },
      description: 'Fetches any object by its global ID; null when it does not exist or is not visible.',
      args: { id: { description: 'A global ID.' } },
    },
    nodesQueryOptions: {
      authScopes: { role: 'controllerKeys' },
      description: 'Fetches objects by their global IDs; null for each one that is not visible.',
      args: { ids: { description: 'Global IDs.' } },
    },
    nodeTypeOptions: { description: 'An object with a global ID.' },
    idFieldOptions: { description: 'Global ID (Relay).' },
    pageInfoTypeOptions: { description: 'Where a page of a connection starts and ends.' },
  },
});
