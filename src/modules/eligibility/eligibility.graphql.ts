import { z } from 'zod';
import { builder } from '../../graphql/builder.js';
import { NotFoundError } from '../../graphql/error-results.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { nilUuid, tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { NotificationEventRef, NotificationRef } from '../notification/notification.graphql.js';
import { LegalBasisEnum } from '../purpose/purpose.graphql.js';
import { recordKey } from '../purpose/purpose.validation.js';
import { ResponseRef, SubjectRef } from '../subject/subject.graphql.js';
import type { EligibilityRule } from './eligibility.policy.js';
import type { EligibilityView, ManifestVerification } from './eligibility.service.js';

const DecisionEnum = builder.enumType('EligibilityDecision', {
  description: 'Whether the data may be processed for the purpose.',
  values: {
    ALLOWED: { description: 'Processing is allowed.' },
    DENIED: { description: 'Processing is not allowed; `rule` says why.' },
  },
});

const RuleEnum = builder.enumType('EligibilityRule', {
  description: 'The rule that decided an eligibility question (see docs/eligibility.md).',
  values: {
    CONSENT_GIVEN: {
      description:
        'ALLOWED (consent): consent to the purpose in its current form, neither withdrawn nor lapsed.',
    },
    LEGITIMATE_INTERESTS_NOTIFIED: {
      description:
        'ALLOWED (legitimate interests): reached with the version in force (or an earlier one that said the same about the purpose) at least the notice period before, and no standing objection.',
    },
    NOTIFIED: {
      description:
        'ALLOWED (contract, legal obligation, vital interests, public task): notified of a version covering the purpose.',
    },
    SUBJECT_ERASED: { description: 'DENIED: the subject was erased (Art. 17) by then.' },
    PURPOSE_ARCHIVED: { description: 'DENIED: the purpose was archived by then.' },
    PURPOSE_NOT_IN_FORCE: { description: 'DENIED: the purpose had no revision yet at that instant.' },
    CONSENT_MISSING: { description: 'DENIED: no consent recorded.' },
    CONSENT_WITHDRAWN: { description: 'DENIED: the latest consent answer is a withdrawal.' },
    CONSENT_OUTDATED: {
      description:
        'DENIED: the consent was given for an earlier form of the purpose, changed since in a way that needs new consent (or not yet published).',
    },
    CONSENT_LAPSED: {
      description: "DENIED: the consent is older than the purpose's consent validity period.",
    },
    OBJECTED: { description: 'DENIED: the person objected (Art. 21) and has not withdrawn the objection.' },
    NO_VERSION_IN_FORCE: {
      description: 'DENIED: no notice version in force covers the purpose under its current legal basis.',
    },
    NOT_NOTIFIED: { description: 'DENIED: never notified of a version that counts.' },
    NOT_REACHED: {
      description:
        'DENIED: notified, but no delivery, opening or acknowledgement (or in-app display) recorded.',
    },
    LEAD_TIME_NOT_MET: { description: "DENIED: reached less than the controller's notice period before." },
  } satisfies Record<EligibilityRule, { description: string }>,
});

const EvidenceRef = builder.objectRef<EligibilityView>('EligibilityEvidence').implement({
  description: 'The records behind an eligibility decision; each is null when the rule does not rest on one.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    version: t.prismaField({
      type: 'NoticeVersion',
      nullable: true,
      description:
        'The notice version relied on: for consent, the one consented to; otherwise the version in force (or, for other bases, the one notified).',
      resolve: (query, view, _args, context) =>
        context.services.eligibility.version(view.evidence.versionId, query),
    }),
    notification: t.field({
      type: NotificationRef,
      nullable: true,
      description:
        'The notification relied on: the one that reached the person first (or the latest unreached one).',
      resolve: (view) => view.records.notification,
    }),
    event: t.field({
      type: NotificationEventRef,
      nullable: true,
      description:
        'The delivery event that shows it reached the person (null when shown in-app or on a banner).',
      resolve: (view) => view.records.event,
    }),
    response: t.field({
      type: ResponseRef,
      nullable: true,
      description:
        "The subject's deciding answer: the consent or withdrawal, or the objection or its withdrawal.",
      resolve: (view) => view.records.response,
    }),
  }),
});

const ResultRef = builder.objectRef<EligibilityView>('EligibilityResult').implement({
  description:
    'Whether a subject’s data may be processed for a purpose at an instant, the rule that decided, and why.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    purposeKey: t.exposeString('purposeKey', { description: 'The purpose asked about.' }),
    at: t.expose('at', { type: 'DateTime', description: 'The instant asked about.' }),
    decision: t.expose('decision', { type: DecisionEnum, description: 'ALLOWED or DENIED.' }),
    rule: t.expose('rule', { type: RuleEnum, description: 'The rule that decided.' }),
    legalBasis: t.expose('legalBasis', {
      type: LegalBasisEnum,
      nullable: true,
      description: 'The legal basis of the purpose revision in force; null when there was none.',
    }),
    purposeRevision: t.prismaField({
      type: 'PurposeRevision',
      nullable: true,
      description: 'The purpose revision in force at the instant: the form of the purpose that was judged.',
      resolve: (query, view, _args, context) => context.services.eligibility.revision(view.revisionId, query),
    }),
    evidence: t.field({
      type: EvidenceRef,
      description: 'The records behind the decision.',
      resolve: (view) => view,
    }),
    explanation: t.exposeString('explanation', {
      description: 'The decision in words, with the dates that mattered.',
    }),
  }),
});

builder.objectField(SubjectRef, 'eligibility', (t) =>
  t.field({
    type: ResultRef,
    description:
      "May this subject's data be processed for the purpose at the instant? With the deciding rule and its evidence.",
    authScopes: { role: 'readRecords' },
    errors: { types: [NotFoundError] },
    args: {
      purposeKey: t.arg.string({
        description: 'The purpose; NOT_FOUND when unknown or in no published notice version.',
      }),
      at: t.arg({ type: 'DateTime', required: false, description: 'The instant (default: now).' }),
    },
    resolve: (subject, args, context) =>
      context.services.eligibility.forSubject(subject.id, args.purposeKey, args.at ?? null),
  }),
);

export const EligibilityManifestRef = builder.prismaNode('EligibilityManifest', {
  nullable: true,
  description:
    'A stored bulk eligibility result: how many subjects were eligible for a purpose at an instant, and a hash of exactly which ones.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (manifest, context) => ownsRecord(context.viewer, manifest) && { role: 'readRecords' },
  fields: (t) => ({
    purpose: t.prismaField({
      type: 'Purpose',
      description: 'The purpose.',
      resolve: async (query, manifest, _args, context) =>
        (await context.services.eligibility.purposeById(manifest.purposeId, query))!,
    }),
    at: t.expose('at', { type: 'DateTime', description: 'The instant eligibility was decided for.' }),
    eligible: t.exposeInt('eligible', { description: 'How many subjects were eligible.' }),
    setHash: t.exposeString('setHash', {
      description:
        'SHA-256 (lower-case hex) of the eligible subjects’ IDs (lower-case UUIDs) sorted ascending and joined by "\\n", no trailing newline.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When it was computed; records recorded later are ignored when it is verified.',
    }),
  }),
});

const CreateManifestInput = builder.inputType('CreateEligibilityManifestInput', {
  description: 'The purpose and instant to compute the eligible set for.',
  fields: (t) => ({
    purposeKey: t.string({ description: 'The purpose.' }),
    at: t.field({ type: 'DateTime', required: false, description: 'The instant (default: now).' }),
  }),
  validate: z.object({ purposeKey: recordKey, at: z.date().nullish() }),
});

const CreateManifestPayload = builder
  .objectRef<{ id: string }>('CreateEligibilityManifestPayload')
  .implement({
    description: 'The stored manifest.',
    fields: (t) => ({
      manifest: t.prismaField({
        type: 'EligibilityManifest',
        description: 'The manifest.',
        resolve: async (query, payload, _args, context) =>
          (await context.services.eligibility.manifest(payload.id, query))!,
      }),
    }),
  });

const VerificationRef = builder.objectRef<ManifestVerification>('EligibilityManifestVerification').implement({
  description: 'A manifest recomputed from the records as they are now, with its instant and cut-off.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    manifest: t.field({
      type: EligibilityManifestRef,
      description: 'The manifest.',
      resolve: (result) => result.manifest,
    }),
    recomputedCount: t.exposeInt('recomputedCount', { description: 'The count, recomputed.' }),
    recomputedHash: t.exposeString('recomputedHash', { description: 'The set hash, recomputed.' }),
    matches: t.exposeBoolean('matches', {
      description: 'Whether both equal the stored ones; false means records were altered or removed since.',
    }),
  }),
});

builder.queryFields((t) => ({
  eligibilityManifest: t.prismaField({
    type: 'EligibilityManifest',
    nullable: true,
    description: 'A manifest by global ID; null when it does not exist or is not visible. ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    args: { id: t.arg.id({ description: 'Its global ID.' }) },
    resolve: (query, _root, args, context) =>
      context.services.eligibility.manifest(
        decodeGlobalIdOf('EligibilityManifest', args.id) ?? nilUuid,
        query,
      ),
  }),
  verifyEligibilityManifest: t.field({
    type: VerificationRef,
    description: 'Recomputes a manifest and says whether it still matches. Read-only. ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    errors: { types: [NotFoundError] },
    args: { id: t.arg.id({ description: 'Global ID of the manifest.' }) },
    resolve: (_root, args, context) =>
      context.services.eligibility.verifyManifest(decodeGlobalIdOf('EligibilityManifest', args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createEligibilityManifest: t.field({
    type: CreateManifestPayload,
    description:
      'Computes, over all subjects, who is eligible for a purpose at an instant, and stores the count and set hash. ADMIN or AUDITOR.',
    authScopes: { role: 'readRecords' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: CreateManifestInput, description: 'The purpose and instant.' }) },
    resolve: async (_root, { input }, context) =>
      context.services.eligibility.createManifest(input.purposeKey, input.at ?? null),
  }),
}));
