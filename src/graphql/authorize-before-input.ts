import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { type AuthScopeMap, ForbiddenError } from '@pothos/plugin-scope-auth';
import type { GraphQLFieldResolver } from 'graphql';

const pluginName = 'authorizeBeforeInput';

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      authorizeBeforeInput: AuthorizeBeforeInputPlugin<Types>;
    }
  }
}

/**
 * Checks a field's own scope map before its arguments are mapped. Pothos runs argument mappers
 * (the validation plugin's input validation, the relay plugin's global ID parsing) outside every
 * plugin's resolver wrapper, so scope-auth alone would answer a caller without the role
 * VALIDATION_FAILED for a bad input. Only static scope maps are checked here: a scope function
 * expects mapped arguments, so scope-auth keeps checking it after mapping, as before.
 * Scope-auth still runs its own checks afterwards; this one only comes first.
 */
export class AuthorizeBeforeInputPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapArgMappers(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    const scopes = (fieldConfig.pothosOptions as { authScopes?: unknown }).authScopes;
    if (!resolver || fieldConfig.argMappers.length === 0 || !scopes || typeof scopes !== 'object') {
      return resolver;
    }
    const scopeMap = scopes as AuthScopeMap<Types>;
    const unauthorizedError = this.builder.options.scopeAuth?.unauthorizedError;
    return async (parent, args, context, info) => {
      await this.builder.runAuthScopes(context, scopeMap, (result) =>
        unauthorizedError
          ? unauthorizedError(parent as object, context, info, result)
          : new ForbiddenError(result.message, result.failure),
      );
      return resolver(parent, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, AuthorizeBeforeInputPlugin);

export default pluginName;
