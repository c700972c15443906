import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { issuedKeyField } from '../api-key/api-key.graphql.js';
import type { IssuedApiKey } from '../api-key/api-key.service.js';
import { mayReadRequest } from './regulator.scope.js';
import { issueKeySchema, maxRegulatorKeyDays, openRequestSchema } from './regulator.validation.js';

export const RegulatorRequestRef = builder.prismaNode('RegulatorRequest', {
  nullable: true,
  description:
    "A data protection authority's request: its reference, its scope, and the records in that scope.",
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (request, context) => mayReadRequest(context.viewer, request),
  fields: (t) => ({
    authority: t.exposeString('authority', { description: 'The authority, e.g. "CNIL".' }),
    reference: t.exposeString('reference', { description: "The authority's case reference." }),
    subjectCount: t.int({
      description: 'How many subject references the scope names (the references themselves are not kept).',
      resolve: (request) => request.subjectRefHashes.length,
    }),
    noticeKeys: t.exposeStringList('noticeKeys', { description: 'Notices in scope (empty: all).' }),
    periodFrom: t.expose('periodFrom', {
      type: 'DateTime',
      nullable: true,
      description: 'Start of the period in scope.',
    }),
    periodTo: t.expose('periodTo', {
      type: 'DateTime',
      nullable: true,
      description: 'End of the period in scope.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the request was opened.' }),
    closedAt: t.expose('closedAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'When the request was closed; null while open. While open, the people it names are under legal hold: they cannot be erased and their records are not purged.',
    }),
    noticeVersions: t.prismaField({
      type: ['NoticeVersion'],
      description: 'Published versions of the notices in scope, in force during the period, with full texts.',
      resolve: (query, request, _args, context) => context.services.regulator.versions(request, query),
    }),
    legitimateInterestAssessments: t.prismaField({
      type: ['PurposeRevision'],
      description:
        'The LEGITIMATE_INTERESTS purpose revisions the versions in scope pin, each with its legitimate-interest assessment and DPIA reference (or legitimateInterestAssessmentMissing), by purpose key and revision.',
      resolve: (query, request, _args, context) => context.services.regulator.assessments(request, query),
    }),
    notifications: t.prismaConnection({
      type: 'Notification',
      cursor: 'id',
      description: 'Notifications in scope (subjects, notices and period all matching), oldest first.',
      resolve: (query, request, _args, context) => context.services.regulator.notifications(request, query),
    }),
    responses: t.prismaConnection({
      type: 'Response',
      cursor: 'id',
      description: 'Responses in scope, oldest first.',
      resolve: (query, request, _args, context) => context.services.regulator.responses(request, query),
    }),
  }),
});

const OpenRequestInput = builder.inputType('OpenRegulatorRequestInput', {
  description: 'A regulator request and its scope; records must match every criterion given.',
  fields: (t) => ({
    authority: t.string({ description: 'The authority.' }),
    reference: t.string({ description: "The authority's reference." }),
    subjectRefs: t.stringList({
      required: false,
      description: 'Subjects, by the controller’s own references.',
    }),
    noticeKeys: t.stringList({ required: false, description: 'Notices in scope.' }),
    periodFrom: t.field({ type: 'DateTime', required: false, description: 'Start of the period.' }),
    periodTo: t.field({ type: 'DateTime', required: false, description: 'End of the period.' }),
  }),
  validate: openRequestSchema,
});

const IssueKeyInput = builder.inputType('IssueRegulatorKeyInput', {
  description: 'A REGULATOR key for one request.',
  fields: (t) => ({
    requestId: t.globalID({ for: RegulatorRequestRef, description: 'The request.' }),
    name: t.string({ description: 'A name for the key.' }),
    expiresAt: t.field({
      type: 'DateTime',
      description: `When it stops working; at most ${maxRegulatorKeyDays} days ahead.`,
    }),
  }),
  validate: issueKeySchema(),
});

const RequestPayload = builder.objectRef<{ id: string }>('RegulatorRequestPayload').implement({
  description: 'The request.',
  fields: (t) => ({
    request: t.prismaField({
      type: 'RegulatorRequest',
      description: 'The request.',
      resolve: async (query, payload, _args, context) =>
        (await context.services.regulator.request(payload.id, query))!,
    }),
  }),
});

const IssueKeyPayload = builder.objectRef<IssuedApiKey>('IssueRegulatorKeyPayload').implement({
  description: 'A REGULATOR key. `secret` is shown this once.',
  fields: (t) => ({
    apiKey: issuedKeyField(t),
    secret: t.exposeString('secret', { description: 'Give it to the authority. Shown once.' }),
  }),
});

builder.queryFields((t) => ({
  regulatorRequest: t.prismaField({
    type: 'RegulatorRequest',
    nullable: true,
    description: "A regulator request. With a REGULATOR key: the key's own request (the id may be omitted).",
    authScopes: { role: 'readRegulatorRequests' },
    args: {
      id: t.arg.id({
        required: false,
        description: 'The request (ADMIN, AUDITOR); a REGULATOR key reads its own.',
      }),
    },
    resolve: (query, _root, args, context) =>
      context.services.regulator.request(decodeGlobalIdOf('RegulatorRequest', args.id), query),
  }),
  regulatorRequests: t.prismaConnection({
    type: 'RegulatorRequest',
    cursor: 'id',
    description: 'All regulator requests, newest first. ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    resolve: (query, _root, _args, context) => context.services.regulator.list(query),
  }),
}));

builder.mutationFields((t) => ({
  openRegulatorRequest: t.field({
    type: RequestPayload,
    description: 'Opens a regulator request with its scope. ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: OpenRequestInput, description: 'The request.' }) },
    resolve: (_root, { input }, context) => context.services.regulator.open(input),
  }),
  closeRegulatorRequest: t.field({
    type: RequestPayload,
    description:
      'Closes a regulator request: the legal hold on the people it names ends (they may be erased, their records purged when due). Idempotent. ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    errors: { types: commonErrors },
    args: { id: t.arg.globalID({ for: RegulatorRequestRef, description: 'The request.' }) },
    resolve: (_root, { id }, context) => context.services.regulator.close(id.id),
  }),
  issueRegulatorKey: t.field({
    type: IssueKeyPayload,
    description: `Issues a read-only REGULATOR key bound to one request, expiring within ${maxRegulatorKeyDays} days. ADMIN or AUDITOR.`,
    authScopes: { role: 'issueRegulatorKeys' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: IssueKeyInput, description: 'The key.' }) },
    resolve: (_root, { input }, context) =>
      context.services.regulator.issueKey(input.requestId.id, input.name, input.expiresAt),
  }),
}));
