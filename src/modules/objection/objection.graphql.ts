import { builder } from '../../graphql/builder.js';
import { commonErrors, ErrorInterface } from '../../graphql/errors.graphql.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { ResponseRef } from '../subject/subject.graphql.js';
import { DirectMarketingObjectionError } from './objection.errors.js';
import { decideObjectionSchema } from './objection.validation.js';
import type { ObjectionFigures } from './objection-figures.js';

builder.objectType(DirectMarketingObjectionError, {
  name: 'DirectMarketingObjectionError',
  description:
    'The case is an objection to direct marketing: absolute (Art. 21(2)–(3)), it can only be honoured; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ caseId: t.exposeID('caseId', { description: 'Raw ID of the case.' }) }),
});

const ObjectionOutcomeEnum = builder.enumType('ObjectionOutcome', {
  description: 'Where an objection case stands (Art. 21(1)).',
  values: {
    OPEN: { description: 'Not decided yet: the person is treated as having objected.' },
    HONOURED: { description: 'The processing stops for the person.' },
    REFUSED: {
      description:
        'Refused on compelling legitimate grounds that override the person’s interests (Art. 21(1)); never for direct marketing.',
    },
  },
});

const DecisionOutcomeEnum = builder.enumType('ObjectionDecisionOutcome', {
  description: 'A decision on an objection case.',
  values: {
    HONOURED: { description: 'Honour the objection.' },
    REFUSED: { description: 'Refuse it on compelling legitimate grounds (Art. 21(1)); give refusalReason.' },
  },
});

export const ObjectionCaseRef = builder.prismaNode('ObjectionCase', {
  nullable: true,
  description: 'The case an objection (an OBJECTED response) opened, and how it was decided (Art. 21).',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (found, context) => ownsRecord(context.viewer, found) && { role: 'viewObjections' },
  fields: (t) => ({
    response: t.relation('response', { description: 'The objection as recorded.' }),
    purposeKey: t.string({
      description: 'The purpose objected to.',
      select: { response: { select: { purpose: { select: { key: true } } } } },
      resolve: (found) => found.response.purpose.key,
    }),
    openedAt: t.expose('openedAt', { type: 'DateTime', description: 'When the person objected.' }),
    grounds: t.exposeString('grounds', {
      nullable: true,
      description: 'The grounds relating to the person’s particular situation, as given (Art. 21(1)).',
    }),
    directMarketing: t.exposeBoolean('directMarketing', {
      description: 'Against direct marketing (Art. 21(2)): absolute, it cannot be refused.',
    }),
    outcome: t.expose('outcome', { type: ObjectionOutcomeEnum, description: 'OPEN, HONOURED or REFUSED.' }),
    refusalReason: t.exposeString('refusalReason', {
      nullable: true,
      description: 'The compelling legitimate grounds a refusal rests on (REFUSED only).',
    }),
    decidedAt: t.expose('decidedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was decided.',
    }),
    decidedByKeyId: t.exposeID('decidedByKeyId', {
      nullable: true,
      description: 'Raw ID of the API key that decided it.',
    }),
  }),
});

builder.prismaObjectField(ResponseRef, 'objectionCase', (t) =>
  t.relation('objectionCase', {
    nullable: true,
    description: 'For an objection: the case it opened and its outcome (docs/objections.md).',
  }),
);

const ObjectionFiguresRef = builder.objectRef<ObjectionFigures>('ObjectionFigures').implement({
  description: 'One purpose’s objections: received, decided, and how fast (docs/objections.md).',
  authScopes: { role: 'readObjections' },
  fields: (t) => ({
    purposeKey: t.exposeString('purposeKey', { description: 'The purpose.' }),
    received: t.exposeInt('received', { description: 'Objections received (cases opened) by `at`.' }),
    open: t.exposeInt('open', { description: 'Cases not decided by `at`.' }),
    honoured: t.exposeInt('honoured', { description: 'Cases honoured by `at`.' }),
    refused: t.exposeInt('refused', {
      description: 'Cases refused on compelling legitimate grounds by `at`.',
    }),
    directMarketing: t.exposeInt('directMarketing', { description: 'Objections against direct marketing.' }),
    overdue: t.exposeInt('overdue', {
      description: 'Open cases opened more than decisionDays before `at`: past the controller’s deadline.',
    }),
    decisionDays: t.exposeInt('decisionDays', { description: 'The controller’s deadline, in days.' }),
    decisionSecondsP50: t.exposeFloat('decisionSecondsP50', {
      nullable: true,
      description: 'Median time from objecting to the decision, in seconds; null when none is decided.',
    }),
    decisionSecondsP95: t.exposeFloat('decisionSecondsP95', {
      nullable: true,
      description: '95th percentile of the time to decide, in seconds; null when none is decided.',
    }),
  }),
});

const DecideObjectionInput = builder.inputType('DecideObjectionInput', {
  description: 'A decision on an open objection case.',
  fields: (t) => ({
    caseId: t.id({ description: 'The case (global ID).' }),
    outcome: t.field({ type: DecisionOutcomeEnum, description: 'HONOURED or REFUSED.' }),
    refusalReason: t.string({
      required: false,
      description: 'REFUSED only, and then required: the compelling legitimate grounds (Art. 21(1)).',
    }),
  }),
  validate: decideObjectionSchema,
});

const DecideObjectionPayload = builder.objectRef<{ id: string }>('DecideObjectionPayload').implement({
  description: 'The case as decided.',
  fields: (t) => ({
    objectionCase: t.prismaField({
      type: 'ObjectionCase',
      description: 'The case.',
      resolve: async (query, payload, _args, context) =>
        (await context.services.objection.byId(payload.id, query))!,
    }),
  }),
});

builder.queryFields((t) => ({
  objectionCases: t.prismaConnection({
    type: 'ObjectionCase',
    cursor: 'id',
    description: 'Objection cases, oldest first. ADMIN, EDITOR or AUDITOR.',
    authScopes: { role: 'readObjections' },
    args: {
      purposeKey: t.arg.string({ required: false, description: 'Only this purpose.' }),
      outcome: t.arg({ type: ObjectionOutcomeEnum, required: false, description: 'Only this outcome.' }),
      overdue: t.arg.boolean({
        required: false,
        description: 'Only open cases past the controller’s deadline (objectionDecisionDays) now.',
      }),
    },
    resolve: (query, _root, args, context) => context.services.objection.list(args, query),
  }),
  objectionFigures: t.field({
    type: [ObjectionFiguresRef],
    description:
      'Per purpose, by key: objections received, honoured, refused, overdue, time to decide. ADMIN, EDITOR or AUDITOR.',
    authScopes: { role: 'readObjections' },
    args: {
      purposeKeys: t.arg.stringList({ required: false, description: 'Only these purposes (default: all).' }),
      at: t.arg({ type: 'DateTime', required: false, description: 'As of this instant (default: now).' }),
    },
    resolve: (_root, args, context) =>
      context.services.objection.figures(args.purposeKeys ?? null, args.at ?? undefined),
  }),
}));

builder.mutationFields((t) => ({
  decideObjection: t.field({
    type: DecideObjectionPayload,
    description:
      'Honours an objection case, or refuses it on compelling legitimate grounds (Art. 21(1); never one against direct marketing). The same decision again answers the case; another one is a CONFLICT. ADMIN or EDITOR.',
    authScopes: { role: 'decideObjections' },
    errors: { types: [...commonErrors, DirectMarketingObjectionError] },
    args: { input: t.arg({ type: DecideObjectionInput, description: 'The decision.' }) },
    resolve: async (_root, { input }, context) => {
      const decided = await context.services.objection.decide({
        caseId: decodeGlobalIdOf('ObjectionCase', input.caseId) ?? input.caseId,
        outcome: input.outcome,
        refusalReason: input.refusalReason,
      });
      return { id: decided.id };
    },
  }),
}));
