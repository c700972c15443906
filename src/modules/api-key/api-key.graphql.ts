import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { RoleEnum } from '../controller/controller.graphql.js';
import { apiKeyReaders, apiKeyStatus } from './api-key.policy.js';
import type { IssuedApiKey } from './api-key.service.js';
import { assignableRoles, createApiKeySchema } from './api-key.validation.js';

const ApiKeyStatusEnum = builder.enumType('ApiKeyStatus', {
  description: 'Whether a key can still be used.',
  values: {
    ACTIVE: { description: 'Usable.' },
    REVOKED: { description: 'Revoked by an administrator; refused.' },
    EXPIRED: { description: 'Past its expiry; refused.' },
  },
});

export const ApiKeyRef = builder.prismaNode('ApiKey', {
  nullable: true,
  description: 'A credential bound to one controller and one role. Its secret is shown only when created.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (key, context) => ownsRecord(context.viewer, key) && { role: apiKeyReaders(key) },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Name given by its creator, e.g. "mailer (production)".' }),
    role: t.expose('role', { type: RoleEnum, description: 'What the key may do.' }),
    prefix: t.exposeString('prefix', {
      description: 'Public start of the key, to recognise it; not a secret.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the key was created.' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the key stops working; null when it does not expire.',
    }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the key was revoked; null while not revoked.',
    }),
    trustedDocumentsOnly: t.exposeBoolean('trustedDocumentsOnly', {
      description:
        'Whether the key runs only the checked-in trusted documents, by documentId (docs/frontend.md).',
    }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Last successful use, to within a minute.',
    }),
    status: t.field({
      type: ApiKeyStatusEnum,
      description: 'ACTIVE, REVOKED or EXPIRED, as of now.',
      resolve: (key) => apiKeyStatus(key, new Date()),
    }),
  }),
});

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

/**
 * The key beside a secret shown once. Nullable on purpose: should the key ever be unreadable,
 * only this field is null and the secret still reaches its owner (see docs/decisions/0011).
 */
export function issuedKeyField(t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, IssuedApiKey>) {
  return t.field({
    type: ApiKeyRef,
    nullable: true,
    description: 'The key created; null only if it could not be read, and the secret is valid all the same.',
    resolve: (issued) => issued.apiKey,
  });
}

const CreateApiKeyPayload = builder.objectRef<IssuedApiKey>('CreateApiKeyPayload').implement({
  description: 'A new key. `secret` is shown this once and cannot be recovered.',
  fields: (t) => ({
    apiKey: issuedKeyField(t),
    secret: t.exposeString('secret', {
      description: 'Send as `Authorization: Bearer <secret>`. Shown once.',
    }),
  }),
});

const RevokeApiKeyPayload = builder
  .objectRef<{ apiKey: IssuedApiKey['apiKey'] }>('RevokeApiKeyPayload')
  .implement({
    description: 'The revoked key.',
    fields: (t) => ({
      apiKey: t.field({
        type: ApiKeyRef,
        description: 'The key, now revoked.',
        resolve: (payload) => payload.apiKey,
      }),
    }),
  });

const AssignableRoleEnum = builder.enumType('AssignableRole', {
  description: 'Roles a controller key can be given. REGULATOR keys are issued for a regulator request.',
  values: Object.fromEntries(
    assignableRoles.map((role) => [role, { value: role, description: `The ${role} role (see Role).` }]),
  ),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  description: 'A new API key for the caller’s controller.',
  fields: (t) => ({
    name: t.string({ description: 'A name to recognise the key by.' }),
    role: t.field({ type: AssignableRoleEnum, description: 'What the key may do.' }),
    expiresAt: t.field({
      type: 'DateTime',
      required: false,
      description: 'When it stops working (optional).',
    }),
    trustedDocumentsOnly: t.boolean({
      required: false,
      description:
        'Run only the checked-in trusted documents, by documentId, and refuse any other document (a frontend’s key; docs/frontend.md). Default false.',
    }),
  }),
  validate: createApiKeySchema(),
});

const RevokeApiKeyInput = builder.inputType('RevokeApiKeyInput', {
  description: 'The key to revoke.',
  fields: (t) => ({
    id: t.globalID({ for: ApiKeyRef, description: 'Global ID of the key.' }),
  }),
});

builder.queryFields((t) => ({
  apiKeys: t.prismaConnection({
    type: 'ApiKey',
    cursor: 'id',
    description: "The controller's API keys, newest first. ADMIN only.",
    authScopes: { role: 'manageKeys' },
    resolve: (query, _root, _args, context) => context.services.apiKey.list(query),
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    description: 'Creates an API key and returns its secret once. ADMIN only.',
    authScopes: { role: 'manageKeys' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: CreateApiKeyInput, description: 'The key to create.' }) },
    resolve: (_root, { input }, context) => context.services.apiKey.create(input),
  }),
  revokeApiKey: t.field({
    type: RevokeApiKeyPayload,
    description: 'Revokes a key at once; revoking twice is harmless. ADMIN only.',
    authScopes: { role: 'manageKeys' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RevokeApiKeyInput, description: 'The key to revoke.' }) },
    resolve: async (_root, { input }, context) => ({
      apiKey: await context.services.apiKey.revoke(input.id.id),
    }),
  }),
}));
