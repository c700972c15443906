import { builder } from '../../graphql/builder.js';
import { commonErrors, ErrorInterface } from '../../graphql/errors.graphql.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { BasisChangeUnjustifiedError, PurposeArchivedError } from './purpose.errors.js';
import type {
  AutomatedDecisionMaking,
  LegitimateInterestAssessment,
  ObjectionMechanism,
  SpecialCategory,
  ThirdCountryTransfer,
} from './purpose.snapshot.js';
import { createPurposeSchema, type legalBases, revisePurposeSchema } from './purpose.validation.js';
import {
  LegitimateInterestAssessmentInput,
  LegitimateInterestAssessmentRef,
  ObjectionMechanismInput,
  ObjectionMechanismRef,
} from './purpose-assessment.graphql.js';

builder.objectType(PurposeArchivedError, {
  name: 'PurposeArchivedError',
  description: 'The purpose is archived: it cannot be revised or added to a notice version.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ purposeKey: t.exposeString('purposeKey', { description: 'The archived purpose.' }) }),
});

builder.objectType(BasisChangeUnjustifiedError, {
  name: 'BasisChangeUnjustifiedError',
  description:
    'The revision moves a purpose away from CONSENT without basisChangeJustification (EDPB Guidelines 05/2020 on consent, §§ 121–123); nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    previousBasis: t.exposeString('previousBasis', { description: 'The basis of the previous revision.' }),
    legalBasis: t.exposeString('legalBasis', { description: 'The basis the revision asked for.' }),
  }),
});

export const LegalBasisEnum = builder.enumType('LegalBasis', {
  description: 'Legal basis of a processing purpose (GDPR Art. 6(1)).',
  values: {
    CONSENT: { description: 'Art. 6(1)(a): the person consented.' },
    CONTRACT: { description: 'Art. 6(1)(b): necessary for a contract with the person.' },
    LEGAL_OBLIGATION: { description: 'Art. 6(1)(c): a legal obligation of the controller.' },
    VITAL_INTERESTS: { description: 'Art. 6(1)(d): vital interests of a person.' },
    PUBLIC_TASK: { description: 'Art. 6(1)(e): a task in the public interest or official authority.' },
    LEGITIMATE_INTERESTS: { description: 'Art. 6(1)(f): legitimate interests; people may object (Art. 21).' },
  } satisfies Record<(typeof legalBases)[number], { description: string }>,
});

const SpecialCategoryRef = builder.objectRef<SpecialCategory>('SpecialCategory').implement({
  description: 'A special category of personal data (Art. 9(1)) and the condition relied on.',
  authScopes: { role: 'viewNotices' },
  fields: (t) => ({
    category: t.exposeString('category', { description: 'The category, e.g. "health data".' }),
    condition: t.exposeString('condition', { description: 'The Art. 9(2) condition relied on.' }),
    explicitConsent: t.boolean({
      description: "Whether the condition is the person's explicit consent (Art. 9(2)(a)).",
      resolve: (item) => item.explicitConsent === true,
    }),
  }),
});

const TransferRef = builder.objectRef<ThirdCountryTransfer>('ThirdCountryTransfer').implement({
  description: 'A transfer to a third country or international organisation (Art. 13(1)(f)).',
  authScopes: { role: 'viewNotices' },
  fields: (t) => ({
    destination: t.exposeString('destination', { description: 'Country code or organisation.' }),
    safeguard: t.exposeString('safeguard', { description: 'Adequacy decision, SCCs, BCRs, derogation…' }),
    explicitConsent: t.boolean({
      description: "Whether it relies on the person's explicit consent (derogation of Art. 49(1)(a)).",
      resolve: (item) => item.explicitConsent === true,
    }),
  }),
});

const AutomatedDecisionMakingRef = builder
  .objectRef<AutomatedDecisionMaking>('AutomatedDecisionMaking')
  .implement({
    description: 'Automated decision-making or profiling (Art. 13(2)(f)).',
    authScopes: { role: 'viewNotices' },
    fields: (t) => ({
      logic: t.exposeString('logic', { description: 'Meaningful information about the logic involved.' }),
      significance: t.exposeString('significance', {
        description: 'Significance and envisaged consequences.',
      }),
      explicitConsent: t.boolean({
        description: "Whether the decision relies on the person's explicit consent (Art. 22(2)(c)).",
        resolve: (item) => item.explicitConsent === true,
      }),
    }),
  });

export const PurposeRevisionRef = builder.prismaNode('PurposeRevision', {
  nullable: true,
  description: 'One immutable revision of a purpose: what people were told about it from `createdAt` on.',
  id: { field: 'id' },
  // Select mode: each field reads only its own columns, but for the few small ones every list of
  // purposes shows, which every read selects and which resolve without a selection of their own
  // (ADR 0049).
  select: { id: true, controllerId: true, number: true, name: true, legalBasis: true },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (revision, context) => ownsRecord(context.viewer, revision) && { role: 'viewNotices' },
  fields: (t) => ({
    number: t.int({
      description: 'Revision number, 1, 2, 3… per purpose.',
      resolve: (revision) => revision.number,
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When this revision came into force.',
    }),
    purposeKey: t.string({
      description: 'Key of the purpose this revises.',
      select: { purpose: { select: { key: true } } },
      resolve: (revision) => revision.purpose.key,
    }),
    name: t.string({ description: 'Short name.', resolve: (revision) => revision.name }),
    description: t.exposeString('description', { description: 'What is done with the data, and why.' }),
    legalBasis: t.field({
      type: LegalBasisEnum,
      description: 'Art. 6(1) basis.',
      resolve: (revision) => revision.legalBasis,
    }),
    legitimateInterest: t.exposeString('legitimateInterest', {
      nullable: true,
      description: 'The legitimate interest pursued (LEGITIMATE_INTERESTS only).',
    }),
    dataCategories: t.exposeStringList('dataCategories', { description: 'Categories of personal data.' }),
    specialCategories: t.field({
      type: [SpecialCategoryRef],
      description: 'Special categories (Art. 9) with their condition.',
      select: { specialCategories: true },
      resolve: (revision) => revision.specialCategories as unknown as SpecialCategory[],
    }),
    dataSubjectCategories: t.exposeStringList('dataSubjectCategories', {
      description: 'Categories of people concerned.',
    }),
    dataSources: t.exposeStringList('dataSources', {
      description: 'Where the data comes from (Art. 14(2)(f)).',
    }),
    publiclyAccessibleSources: t.exposeBoolean('publiclyAccessibleSources', {
      description: 'Whether data comes from publicly accessible sources.',
    }),
    recipients: t.exposeStringList('recipients', { description: 'Recipients or categories of recipients.' }),
    retentionPeriodDays: t.exposeInt('retentionPeriodDays', {
      nullable: true,
      description: 'How long the data is kept, in days, if a period is set.',
    }),
    retentionCriteria: t.exposeString('retentionCriteria', {
      nullable: true,
      description: 'Criteria that determine the retention, if not (only) a period.',
    }),
    transfers: t.field({
      type: [TransferRef],
      description: 'Third-country transfers and their safeguards.',
      select: { transfers: true },
      resolve: (revision) => revision.transfers as unknown as ThirdCountryTransfer[],
    }),
    automatedDecisionMaking: t.field({
      type: AutomatedDecisionMakingRef,
      nullable: true,
      description: 'Automated decision-making or profiling, if any.',
      select: { automatedDecisionMaking: true },
      resolve: (revision) => revision.automatedDecisionMaking as unknown as AutomatedDecisionMaking | null,
    }),
    consentValidityDays: t.exposeInt('consentValidityDays', {
      nullable: true,
      description: 'Days a consent stays valid (CONSENT only); null when it does not lapse.',
    }),
    explicitConsent: t.exposeBoolean('explicitConsent', {
      description:
        'Whether the purpose relies on explicit consent (Art. 9(2)(a), 49(1)(a), 22(2)(c)); CONSENT only.',
    }),
    basisChangeJustification: t.exposeString('basisChangeJustification', {
      nullable: true,
      description:
        'Why this revision moved the purpose away from CONSENT (EDPB Guidelines 05/2020 on consent, §§ 121–123); null for any other revision.',
    }),
    objectionMechanism: t.field({
      type: ObjectionMechanismRef,
      nullable: true,
      description: 'How a person objects (Art. 21(4)); null when this revision states none.',
      select: { objectionMechanism: true },
      resolve: (revision) => revision.objectionMechanism as unknown as ObjectionMechanism | null,
    }),
    legitimateInterestAssessment: t.field({
      type: LegitimateInterestAssessmentRef,
      nullable: true,
      description:
        'The legitimate-interest assessment and DPIA reference pinned with this revision (LEGITIMATE_INTERESTS only); null when none is recorded.',
      select: { legitimateInterestAssessment: true },
      resolve: (revision) =>
        revision.legitimateInterestAssessment as unknown as LegitimateInterestAssessment | null,
    }),
    legitimateInterestAssessmentMissing: t.boolean({
      description:
        'True for a LEGITIMATE_INTERESTS revision that records no assessment: allowed, but flagged (docs/legitimate-interest-assessment.md).',
      select: { legalBasis: true, legitimateInterestAssessment: true },
      resolve: (revision) =>
        revision.legalBasis === 'LEGITIMATE_INTERESTS' && revision.legitimateInterestAssessment === null,
    }),
  }),
});

const PurposeStatusEnum = builder.enumType('PurposeStatus', {
  description: 'Whether a purpose can still be used in new versions.',
  values: {
    ACTIVE: { description: 'In use.' },
    ARCHIVED: { description: 'No longer offered for new versions; still readable and pinned where used.' },
  },
});

export const PurposeRef = builder.prismaNode('Purpose', {
  nullable: true,
  description: 'A processing purpose. Its content lives in numbered, immutable revisions.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (purpose, context) => ownsRecord(context.viewer, purpose) && { role: 'viewNotices' },
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Stable key, unique per controller, e.g. "ai-training".' }),
    status: t.field({
      type: PurposeStatusEnum,
      description: 'ACTIVE or ARCHIVED.',
      resolve: (purpose) => (purpose.archivedAt ? 'ARCHIVED' : 'ACTIVE'),
    }),
    archivedAt: t.expose('archivedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was archived.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
    current: t.field({
      type: PurposeRevisionRef,
      description: 'The latest revision.',
      select: (_args, _context, nested) => ({
        revisions: { ...nested(), orderBy: { number: 'desc' }, take: 1 },
      }),
      resolve: (purpose) => purpose.revisions[0]!,
    }),
    revisionAt: t.field({
      type: PurposeRevisionRef,
      nullable: true,
      description: 'The revision in force at an instant; null before the purpose existed.',
      args: { at: t.arg({ type: 'DateTime', description: 'The instant.' }) },
      select: (args, _context, nested) => ({
        revisions: {
          ...nested(),
          where: { createdAt: { lte: args.at } },
          orderBy: { number: 'desc' },
          take: 1,
        },
      }),
      resolve: (purpose) => purpose.revisions[0] ?? null,
    }),
    revisions: t.relation('revisions', {
      description: 'Every revision, newest first.',
      query: { orderBy: { number: 'desc' } },
    }),
  }),
});

const SpecialCategoryInput = builder.inputType('SpecialCategoryInput', {
  description: 'A special category of data and its Art. 9(2) condition.',
  fields: (t) => ({
    category: t.string({ description: 'The category.' }),
    condition: t.string({ description: 'The condition relied on.' }),
    explicitConsent: t.boolean({
      required: false,
      description:
        "The condition is the person's explicit consent (Art. 9(2)(a)); the purpose must then set explicitConsent.",
    }),
  }),
});

const TransferInput = builder.inputType('ThirdCountryTransferInput', {
  description: 'A third-country transfer and its safeguard.',
  fields: (t) => ({
    destination: t.string({ description: 'Country code or organisation.' }),
    safeguard: t.string({ description: 'The safeguard.' }),
    explicitConsent: t.boolean({
      required: false,
      description:
        "The transfer relies on the person's explicit consent (Art. 49(1)(a)); the purpose must then set explicitConsent.",
    }),
  }),
});

const AutomatedDecisionMakingInput = builder.inputType('AutomatedDecisionMakingInput', {
  description: 'Automated decision-making or profiling.',
  fields: (t) => ({
    logic: t.string({ description: 'The logic involved.' }),
    significance: t.string({ description: 'Significance and consequences.' }),
    explicitConsent: t.boolean({
      required: false,
      description:
        "The decision relies on the person's explicit consent (Art. 22(2)(c)); the purpose must then set explicitConsent.",
    }),
  }),
});

const PurposeContentInput = builder.inputType('PurposeContentInput', {
  description: 'Everything a purpose revision says (GDPR Art. 13/14/30).',
  fields: (t) => ({
    name: t.string({ description: 'Short name.' }),
    description: t.string({ description: 'What is done with the data, and why.' }),
    legalBasis: t.field({ type: LegalBasisEnum, description: 'Art. 6(1) basis.' }),
    legitimateInterest: t.string({ required: false, description: 'Required for LEGITIMATE_INTERESTS.' }),
    dataCategories: t.stringList({ description: 'Categories of personal data.' }),
    specialCategories: t.field({
      type: [SpecialCategoryInput],
      required: false,
      description: 'Special categories (Art. 9) with their condition.',
    }),
    dataSubjectCategories: t.stringList({ description: 'Categories of people concerned.' }),
    dataSources: t.stringList({ required: false, description: 'Where the data comes from.' }),
    publiclyAccessibleSources: t.boolean({
      required: false,
      description: 'Data from publicly accessible sources.',
    }),
    recipients: t.stringList({ required: false, description: 'Recipients or categories of recipients.' }),
    retentionPeriodDays: t.int({ required: false, description: 'Retention period in days.' }),
    retentionCriteria: t.string({ required: false, description: 'Retention criteria, if not a period.' }),
    transfers: t.field({ type: [TransferInput], required: false, description: 'Third-country transfers.' }),
    automatedDecisionMaking: t.field({
      type: AutomatedDecisionMakingInput,
      required: false,
      description: 'Automated decision-making, if any.',
    }),
    consentValidityDays: t.int({
      required: false,
      description: 'Days a consent stays valid (CONSENT only).',
    }),
    explicitConsent: t.boolean({
      required: false,
      description:
        'The purpose relies on explicit consent (Art. 9(2)(a), 49(1)(a), 22(2)(c)); requires the CONSENT basis.',
    }),
    objectionMechanism: t.field({
      type: ObjectionMechanismInput,
      required: false,
      description: 'How a person objects (Art. 21(4)); LEGITIMATE_INTERESTS and PUBLIC_TASK only.',
    }),
    legitimateInterestAssessment: t.field({
      type: LegitimateInterestAssessmentInput,
      required: false,
      description:
        'The legitimate-interest assessment, with its DPIA if any (LEGITIMATE_INTERESTS only; EDPB Guidelines 1/2024). Without one the revision is allowed but flagged.',
    }),
  }),
});

const CreatePurposeInput = builder.inputType('CreatePurposeInput', {
  description: 'A new purpose and its first revision.',
  fields: (t) => ({
    key: t.string({ description: 'Stable key, unique per controller.' }),
    content: t.field({ type: PurposeContentInput, description: 'What the purpose says.' }),
  }),
  validate: createPurposeSchema,
});

const RevisePurposeInput = builder.inputType('RevisePurposeInput', {
  description: 'A new revision of an existing purpose; earlier revisions stay unchanged.',
  fields: (t) => ({
    key: t.string({ description: 'Key of the purpose.' }),
    content: t.field({ type: PurposeContentInput, description: 'What the purpose says from now on.' }),
    basisChangeJustification: t.string({
      required: false,
      description:
        'Required when the purpose moves from CONSENT to another basis, and only then: why (EDPB Guidelines 05/2020 on consent, §§ 121–123). Stored with the revision.',
    }),
  }),
  validate: revisePurposeSchema,
});

const ArchivePurposeInput = builder.inputType('ArchivePurposeInput', {
  description: 'The purpose to archive.',
  fields: (t) => ({ key: t.string({ description: 'Key of the purpose.' }) }),
});

const PurposePayload = builder.objectRef<{ key: string }>('PurposePayload').implement({
  description: 'The purpose after the change.',
  fields: (t) => ({
    purpose: t.prismaField({
      type: 'Purpose',
      description: 'The purpose.',
      resolve: async (query, payload, _args, context) =>
        (await context.services.purpose.byKey(payload.key, query))!,
    }),
  }),
});

builder.queryFields((t) => ({
  purpose: t.prismaField({
    type: 'Purpose',
    nullable: true,
    description: 'A purpose by key; null when there is none.',
    authScopes: { role: 'readNotices' },
    args: { key: t.arg.string({ description: 'The purpose key.' }) },
    resolve: (query, _root, args, context) => context.services.purpose.byKey(args.key, query),
  }),
  purposes: t.prismaConnection({
    type: 'Purpose',
    cursor: 'id',
    description: "The controller's purposes, by key.",
    authScopes: { role: 'readNotices' },
    args: { includeArchived: t.arg.boolean({ required: false, description: 'Include archived purposes.' }) },
    resolve: (query, _root, args, context) => context.services.purpose.list(args, query),
  }),
}));

builder.mutationFields((t) => ({
  createPurpose: t.field({
    type: PurposePayload,
    description: 'Creates a purpose with its first revision. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: CreatePurposeInput, description: 'The purpose.' }) },
    resolve: async (_root, { input }, context) => context.services.purpose.create(input.key, input.content),
  }),
  revisePurpose: t.field({
    type: PurposePayload,
    description: 'Adds a revision to a purpose. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: [...commonErrors, PurposeArchivedError, BasisChangeUnjustifiedError] },
    args: { input: t.arg({ type: RevisePurposeInput, description: 'The new content.' }) },
    resolve: async (_root, { input }, context) =>
      context.services.purpose.revise(input.key, input.content, input.basisChangeJustification),
  }),
  archivePurpose: t.field({
    type: PurposePayload,
    description: 'Archives a purpose; idempotent. ADMIN or EDITOR.',
    authScopes: { role: 'editNotices' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: ArchivePurposeInput, description: 'The purpose.' }) },
    resolve: async (_root, { input }, context) => context.services.purpose.archive(input.key),
  }),
}));
