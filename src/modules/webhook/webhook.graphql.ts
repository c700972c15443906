import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { nilUuid, tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { ChangeEventTypeEnum } from '../change-feed/change-feed.graphql.js';
import type { ChangeType } from '../change-feed/change-types.js';
import type { CreatedEndpoint } from './webhook.service.js';
import { createEndpointSchema } from './webhook.validation.js';
import { maxAttempts } from './webhook-retry.policy.js';

const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a delivery stands.',
  values: {
    PENDING: { description: 'Not delivered yet; the worker tries at `nextAttemptAt`.' },
    SUCCEEDED: { description: 'The endpoint answered 2xx.' },
    DEAD: {
      description: `Dead letter: ${maxAttempts} attempts failed. Sent again only by redeliverWebhook.`,
    },
  },
});

export const WebhookEndpointRef = builder.prismaNode('WebhookEndpoint', {
  nullable: true,
  description: 'A URL that receives change events, signed like Standard Webhooks (docs/webhooks.md).',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (endpoint, context) => ownsRecord(context.viewer, endpoint) && { role: 'manageController' },
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Where events are POSTed.' }),
    description: t.exposeString('description', { description: 'What the endpoint is for.' }),
    eventTypes: t.field({
      type: [ChangeEventTypeEnum],
      description: 'The event types it receives; empty: all.',
      resolve: (endpoint) => endpoint.eventTypes as ChangeType[],
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    disabledAt: t.expose('disabledAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was disabled; null while enabled. A disabled endpoint gets nothing.',
    }),
    deliveries: t.relatedConnection('deliveries', {
      cursor: 'id',
      description: 'Its deliveries, newest first.',
      args: {
        status: t.arg({ type: DeliveryStatusEnum, required: false, description: 'Only this status.' }),
      },
      query: (args) => ({
        where: args.status ? { status: args.status } : {},
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      }),
    }),
  }),
});

const WebhookDeliveryRef = builder.prismaNode('WebhookDelivery', {
  nullable: true,
  description: 'One event to deliver to one endpoint, with the outcome of its last attempt.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (delivery, context) => ownsRecord(context.viewer, delivery) && { role: 'manageController' },
  fields: (t) => ({
    endpoint: t.relation('endpoint', { description: 'Where it goes.' }),
    event: t.relation('event', { description: 'What it carries; its ID is the `webhook-id` header.' }),
    status: t.expose('status', { type: DeliveryStatusEnum, description: 'Where it stands.' }),
    attempts: t.exposeInt('attempts', {
      description: `Attempts since it was created or redelivered; at ${maxAttempts} failed ones it is DEAD.`,
    }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the worker tries next (PENDING only).',
      resolve: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
    }),
    lastAttemptAt: t.expose('lastAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was last tried.',
    }),
    lastResponseStatus: t.exposeInt('lastResponseStatus', {
      nullable: true,
      description: 'The HTTP status of the last answer; null when there was none (timeout, refused).',
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last attempt failed; null after a success.',
    }),
    deliveredAt: t.expose('deliveredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the endpoint last answered 2xx.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the event was queued.' }),
  }),
});

const CreateEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  description: 'A new webhook endpoint.',
  fields: (t) => ({
    url: t.string({
      description:
        'http(s) URL; not a private or loopback address (docs/webhooks.md#what-an-endpoint-may-be).',
    }),
    description: t.string({ required: false, description: 'What it is for.' }),
    eventTypes: t.field({
      type: [ChangeEventTypeEnum],
      required: false,
      description: 'The event types to receive; omitted or empty: all.',
    }),
  }),
  validate: createEndpointSchema,
});

const CreateEndpointPayload = builder.objectRef<CreatedEndpoint>('CreateWebhookEndpointPayload').implement({
  description: 'The endpoint and its signing secret, shown this once.',
  fields: (t) => ({
    endpoint: t.field({
      type: WebhookEndpointRef,
      nullable: true,
      description: 'The endpoint; null only if it could not be read, and the secret is valid all the same.',
      resolve: (created) => created.endpoint,
    }),
    secret: t.exposeString('secret', {
      description: 'The `whsec_…` signing secret to verify deliveries with. Shown once.',
    }),
  }),
});

const EndpointIdInput = builder.inputType('DisableWebhookEndpointInput', {
  description: 'The endpoint to disable.',
  fields: (t) => ({ id: t.globalID({ for: WebhookEndpointRef, description: 'Its global ID.' }) }),
});

const RedeliverInput = builder.inputType('RedeliverWebhookInput', {
  description: 'The delivery to send again.',
  fields: (t) => ({ id: t.globalID({ for: WebhookDeliveryRef, description: 'Its global ID.' }) }),
});

const EndpointPayload = builder.objectRef<{ id: string }>('WebhookEndpointPayload').implement({
  description: 'The endpoint.',
  fields: (t) => ({
    endpoint: t.prismaField({
      type: 'WebhookEndpoint',
      description: 'The endpoint.',
      resolve: async (query, payload, _args, context) =>
        (await context.services.webhook.endpoint(payload.id, query))!,
    }),
  }),
});

const DeliveryPayload = builder.objectRef<{ id: string }>('WebhookDeliveryPayload').implement({
  description: 'The delivery.',
  fields: (t) => ({
    delivery: t.prismaField({
      type: 'WebhookDelivery',
      description: 'The delivery, PENDING again.',
      resolve: async (query, payload, _args, context) =>
        (await context.services.webhook.delivery(payload.id, query))!,
    }),
  }),
});

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaConnection({
    type: 'WebhookEndpoint',
    cursor: 'id',
    description: "The controller's webhook endpoints, newest first. ADMIN only.",
    authScopes: { role: 'manageController' },
    resolve: (query, _root, _args, context) => context.services.webhook.endpoints(query),
  }),
  webhookDeliveries: t.prismaConnection({
    type: 'WebhookDelivery',
    cursor: 'id',
    description: 'Webhook deliveries, newest first; `status: DEAD` lists the dead letters. ADMIN only.',
    authScopes: { role: 'manageController' },
    args: {
      status: t.arg({ type: DeliveryStatusEnum, required: false, description: 'Only this status.' }),
      endpointId: t.arg.id({ required: false, description: 'Only deliveries to this endpoint.' }),
    },
    resolve: (query, _root, args, context) =>
      context.services.webhook.deliveries(
        {
          status: args.status ?? null,
          endpointId: args.endpointId
            ? (decodeGlobalIdOf('WebhookEndpoint', args.endpointId) ?? nilUuid)
            : null,
        },
        query,
      ),
  }),
}));

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: CreateEndpointPayload,
    description: 'Creates a webhook endpoint; it receives the events emitted from now on. ADMIN only.',
    authScopes: { role: 'manageController' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: CreateEndpointInput, description: 'The endpoint.' }) },
    resolve: (_root, { input }, context) => context.services.webhook.createEndpoint(input),
  }),
  disableWebhookEndpoint: t.field({
    type: EndpointPayload,
    description: 'Disables an endpoint at once: nothing more is sent to it. Idempotent. ADMIN only.',
    authScopes: { role: 'manageController' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: EndpointIdInput, description: 'The endpoint.' }) },
    resolve: async (_root, { input }, context) => ({
      id: (await context.services.webhook.disableEndpoint(input.id.id)).id,
    }),
  }),
  redeliverWebhook: t.field({
    type: DeliveryPayload,
    description:
      'Sends a delivery again from now with a fresh retry schedule (a dead letter, or one the receiver lost). ADMIN only.',
    authScopes: { role: 'manageController' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: RedeliverInput, description: 'The delivery.' }) },
    resolve: async (_root, { input }, context) => ({
      id: (await context.services.webhook.redeliver(input.id.id)).id,
    }),
  }),
}));
