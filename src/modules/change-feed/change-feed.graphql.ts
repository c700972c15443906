import { builder } from '../../graphql/builder.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { resourceGlobalId } from './change-events.js';
import { type ChangeType, changeTypeEnumValue, changeTypeNames, changeTypes } from './change-types.js';

export const ChangeEventTypeEnum = builder.enumType('ChangeEventType', {
  description: 'What kind of change an event reports. Webhook payloads carry the dotted name in `type`.',
  values: Object.fromEntries(
    changeTypeNames.map((type) => [
      changeTypeEnumValue(type),
      { value: type, description: `\`${type}\`: ${changeTypes[type]}` },
    ]),
  ) as Record<string, { value: ChangeType; description: string }>,
});

builder.prismaNode('ChangeEvent', {
  nullable: true,
  description:
    "One change of the controller's data, in the feed's order (docs/change-feed.md). Webhooks deliver the same events.",
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (event, context) => ownsRecord(context.viewer, event) && { role: 'readRecords' },
  fields: (t) => ({
    sequence: t.exposeInt('sequence', {
      description: '1, 2, 3… per controller, without gaps, in the order the changes committed.',
    }),
    type: t.field({
      type: ChangeEventTypeEnum,
      description: 'What kind of change.',
      resolve: (event) => event.type as ChangeType,
    }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When the change happened.' }),
    resourceType: t.exposeString('resourceType', {
      description: 'The type of the object the change is about, e.g. NoticeVersion.',
    }),
    resourceId: t.id({
      description: 'Global ID of that object (read it with `node(id:)`).',
      resolve: (event) => resourceGlobalId(event),
    }),
    data: t.field({
      type: 'JSON',
      description: 'The facts of the change; their shape depends on the type (docs/change-feed.md).',
      resolve: (event) => event.data,
    }),
  }),
});

builder.queryFields((t) => ({
  changeEvents: t.prismaConnection({
    type: 'ChangeEvent',
    cursor: 'id',
    description:
      "The controller's change feed, oldest first. Page forward with `after` from the last `endCursor` you processed; keep it, and ask again later for what came since. ADMIN or AUDITOR.",
    authScopes: { role: 'readRecords' },
    args: {
      types: t.arg({
        type: [ChangeEventTypeEnum],
        required: false,
        description: 'Only events of these types (all when omitted or empty).',
      }),
    },
    resolve: (query, _root, args, context) => context.services.changeFeed.list(args.types ?? null, query),
  }),
}));
