import { builder } from '../../graphql/builder.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import type { AuditVerification } from './audit.service.js';

builder.prismaNode('AuditEntry', {
  nullable: true,
  description: "One entry of the controller's audit trail; its hash commits to the entry before it.",
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (entry, context) => ownsRecord(context.viewer, entry) && { role: 'readRecords' },
  fields: (t) => ({
    sequence: t.exposeInt('sequence', { description: '1, 2, 3… per controller, without gaps.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When the change happened.' }),
    actorKeyId: t.exposeString('actorKeyId', {
      nullable: true,
      description: 'API key that acted; null for operators (CLI).',
    }),
    actorRole: t.exposeString('actorRole', { nullable: true, description: 'Role of that key.' }),
    action: t.exposeString('action', { description: '`resource:verb`, e.g. noticeVersion:publish.' }),
    targetType: t.exposeString('targetType', { description: 'Kind of object changed or read.' }),
    targetId: t.exposeString('targetId', { nullable: true, description: 'Its ID, when one object.' }),
    details: t.field({
      type: 'JSON',
      description: 'What changed (never secrets).',
      resolve: (entry) => entry.details,
    }),
    previousHash: t.exposeString('previousHash', {
      description: 'Hash of the entry before (64 zeros for the first).',
    }),
    hash: t.exposeString('hash', {
      description: 'SHA-256 over this entry’s canonical form, previousHash included.',
    }),
  }),
});

const VerificationRef = builder.objectRef<AuditVerification>('AuditTrailVerification').implement({
  description: 'The result of recomputing the whole audit chain.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    valid: t.exposeBoolean('valid', { description: 'Whether every entry and link checks out.' }),
    entriesChecked: t.exposeInt('entriesChecked', { description: 'Entries verified before stopping.' }),
    firstBrokenSequence: t.exposeInt('firstBrokenSequence', {
      nullable: true,
      description: 'Sequence of the first entry that fails, if any.',
    }),
    problem: t.exposeString('problem', { nullable: true, description: 'What fails there.' }),
    headSequence: t.int({
      nullable: true,
      description: 'Sequence of the last valid entry.',
      resolve: (v) => v.head?.sequence ?? null,
    }),
    headHash: t.string({
      nullable: true,
      description: 'Hash of the last valid entry (the chain head).',
      resolve: (v) => v.head?.hash ?? null,
    }),
  }),
});

builder.queryFields((t) => ({
  auditTrail: t.prismaConnection({
    type: 'AuditEntry',
    cursor: 'id',
    description: 'The audit trail, newest first. ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    args: {
      action: t.arg.string({ required: false, description: 'Only this action, e.g. noticeVersion:publish.' }),
      targetId: t.arg.string({ required: false, description: 'Only entries about this object (raw ID).' }),
      from: t.arg({ type: 'DateTime', required: false, description: 'Not before this instant.' }),
      to: t.arg({ type: 'DateTime', required: false, description: 'Not after this instant.' }),
    },
    resolve: (query, _root, args, context) => context.services.audit.list(args, query),
  }),
  verifyAuditTrail: t.field({
    type: VerificationRef,
    description: 'Recomputes every hash and link of the audit chain. ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    resolve: (_root, _args, context) => context.services.audit.verify(),
  }),
}));
