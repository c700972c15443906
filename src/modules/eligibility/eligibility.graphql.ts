import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.js';
import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { decodeGlobalIdOf } from '../../lib/global-id.js';
import { nilUuid, tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import { NoticeVersionRef } from '../notice/notice-version.graphql.js';
import {
  ChannelEnum,
  EventTypeEnum,
  NotificationEventRef,
  NotificationRef,
} from '../notification/notification.graphql.js';
import type { EventType } from '../notification/notification.policy.js';
import type { Channel } from '../notification/reach.policy.js';
import { LegalBasisEnum } from '../purpose/purpose.graphql.js';
import { recordKey } from '../purpose/purpose.validation.js';
import { ResponseRef, SubjectRef } from '../subject/subject.graphql.js';
import type { EligibilityRule, TransparencyStatus } from './eligibility.facts.js';
import type { EligibilityView, ManifestVerification } from './eligibility.service.js';
import { type StoredSettings, storedSettings } from './eligibility.settings.js';

const DecisionEnum = builder.enumType('EligibilityDecision', {
  description: 'Whether the data may be processed for the purpose.',
  values: {
    ALLOWED: { description: 'Processing is allowed.' },
    DENIED: { description: 'Processing is not allowed; `rule` says why.' },
  },
});

const RuleEnum = builder.enumType('EligibilityRule', {
  description: 'The rule that decided an eligibility question (the decision table in docs/eligibility.md).',
  values: {
    SUBJECT_ERASED: { description: 'DENIED: the subject was erased by then (Art. 17).' },
    PURPOSE_ARCHIVED: { description: 'DENIED: the purpose was archived by then (Art. 5(1)(b)).' },
    PURPOSE_NOT_IN_FORCE: {
      description: 'DENIED: the purpose had no revision yet at that instant (Art. 5(1)(b)).',
    },
    CONSENT_WITHDRAWN_BEFORE_SWITCH: {
      description:
        'DENIED (every basis other than consent): consent was withdrawn before the purpose moved away from consent; the withdrawal stands as an objection (EDPB Guidelines 05/2020 on consent, §§ 121–123).',
    },
    CONSENT_MISSING: { description: 'DENIED (consent): no consent recorded (Art. 6(1)(a)).' },
    CONSENT_WITHDRAWN: {
      description: 'DENIED (consent): the latest consent answer is a withdrawal (Art. 7(3)).',
    },
    CONSENT_REFUSED: {
      description:
        'DENIED (consent): the latest consent answer is a refusal; a refusal is not consent (Art. 4(11), 7).',
    },
    CONSENT_VERSION_UNKNOWN: {
      description:
        'DENIED (consent): the consent does not name the notice version shown, so it cannot be shown to be informed (Art. 4(11), 7(1)).',
    },
    CONSENT_OUTDATED: {
      description:
        'DENIED (consent): the consent was given for an earlier form of the purpose, changed since in a way that needs new consent (or not yet published) (Art. 4(11), 7(1)).',
    },
    CONSENT_LAPSED: {
      description:
        "DENIED (consent): the consent is older than the purpose's consent validity period (Art. 7(1)).",
    },
    CONSENT_GIVEN: {
      description:
        'ALLOWED (consent): consent to the purpose in its current form, naming the version shown, neither withdrawn nor lapsed (Art. 6(1)(a), 7).',
    },
    OBJECTED: {
      description:
        'DENIED (legitimate interests, public task): the person objected and has not withdrawn the objection (Art. 21(1)).',
    },
    NO_VERSION_IN_FORCE: {
      description:
        'DENIED (legitimate interests): no notice version in force covers the purpose (Art. 13(1)(c)–(d)).',
    },
    REVISION_NOT_NOTIFIED: {
      description:
        'DENIED (legitimate interests): the versions in force describe an earlier revision of the purpose, not the one in force (Art. 13(3), 14(4)).',
    },
    NOT_NOTIFIED: {
      description:
        'DENIED (legitimate interests): never notified of the version in force or of an earlier one that said the same (Art. 13(1)(d), 21(4)).',
    },
    NOT_REACHED: {
      description:
        "DENIED (legitimate interests): notified, but no event that shows reach on the notification's channel (Art. 12(1)).",
    },
    LEAD_TIME_NOT_MET: {
      description:
        "DENIED (legitimate interests): first reached less than the version's notice period before (Art. 21(1), (4)).",
    },
    LEGITIMATE_INTERESTS_NOTIFIED: {
      description:
        'ALLOWED (legitimate interests): reached with the version in force describing the revision in force (or an earlier version that said the same) at least its notice period before, and no standing objection (Art. 6(1)(f)).',
    },
    LAWFUL_BASIS: {
      description:
        'ALLOWED (contract, legal obligation, vital interests, public task): lawful on that basis whether or not the person was notified (Art. 6(1)(b)–(e)); see `transparency` for Art. 13/14.',
    },
  } satisfies Record<EligibilityRule, { description: string }>,
});

const TransparencyStatusEnum = builder.enumType('TransparencyStatus', {
  description: 'Whether the person was informed of the purpose (Art. 13/14), as of the instant.',
  values: {
    CURRENT: { description: 'Notified of a notice version in force at the instant that covers the purpose.' },
    OTHER_VERSION_ONLY: {
      description:
        'Notified only of other versions covering the purpose: earlier ones, or one announced ahead and not yet in force.',
    },
    NONE: { description: 'Never notified of a version covering the purpose.' },
  } satisfies Record<TransparencyStatus, { description: string }>,
});

const TransparencyRef = builder.objectRef<EligibilityView>('TransparencyFinding').implement({
  description:
    'Whether, since when and with which notification the person was informed of the purpose (Art. 13/14). A separate question from whether processing is lawful (Art. 6): it never decides `decision` except under legitimate interests.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    status: t.field({
      type: TransparencyStatusEnum,
      description: 'CURRENT, OTHER_VERSION_ONLY or NONE.',
      resolve: (view) => view.transparency!.status,
    }),
    version: t.prismaField({
      type: 'NoticeVersion',
      nullable: true,
      description: 'The version the person was notified of (of the notification below); null for NONE.',
      resolve: (query, view, _args, context) =>
        context.services.eligibility.versionFor(view.transparency!.versionId, query),
    }),
    notification: t.field({
      type: NotificationRef,
      nullable: true,
      description:
        'Among the notifications that decide the status, the one that reached the person first; when none did, the first one sent.',
      resolve: (view) => view.transparencyRecords.notification,
    }),
    event: t.field({
      type: NotificationEventRef,
      nullable: true,
      description:
        "The event that shows it reached the person under the channel's reach evidence; null when none.",
      resolve: (view) => view.transparencyRecords.event,
    }),
    since: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Since when: its first reach when `reached`, else when it was sent. Null for NONE.',
      resolve: (view) => view.transparency!.since,
    }),
    reached: t.boolean({
      description: 'Whether `since` is a reach (true) or only the sending of the notification (false).',
      resolve: (view) => view.transparency!.reached,
    }),
  }),
});

const EvidenceRef = builder.objectRef<EligibilityView>('EligibilityEvidence').implement({
  description: 'The records behind an eligibility decision; each is null when the rule does not rest on one.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    version: t.prismaField({
      type: 'NoticeVersion',
      nullable: true,
      description:
        'The notice version relied on: for consent, the one consented to; for legitimate interests, the version in force; for the other bases, the one of the transparency finding.',
      resolve: (query, view, _args, context) =>
        context.services.eligibility.versionFor(view.evidence.versionId, query),
    }),
    notification: t.field({
      type: NotificationRef,
      nullable: true,
      description:
        'The notification relied on: the one that let processing start first (or the latest unreached one); for the other bases, the one of the transparency finding.',
      resolve: (view) => view.records.notification,
    }),
    event: t.field({
      type: NotificationEventRef,
      nullable: true,
      description: "The event that shows it reached the person under the channel's reach evidence.",
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
    'Whether a subject’s data may be processed for a purpose at an instant (Art. 6), the rule that decided and why, and, separately, whether the person was informed (Art. 13/14).',
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
    transparency: t.field({
      type: TransparencyRef,
      nullable: true,
      description:
        'Whether the person was informed of the purpose (Art. 13/14), under every basis; null when no revision was in force.',
      resolve: (view) => (view.transparency === null ? null : view),
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

const ChannelReachRef = builder
  .objectRef<{ channel: Channel; eventTypes: readonly EventType[] }>('ManifestReachEvidence')
  .implement({
    description: 'The event types that counted as reaching the person on one channel.',
    authScopes: { role: 'readRecords' },
    fields: (t) => ({
      channel: t.field({ type: ChannelEnum, description: 'The channel.', resolve: (item) => item.channel }),
      eventTypes: t.field({
        type: [EventTypeEnum],
        description:
          'Any of these events (dated by the instant) showed that a notification reached the person.',
        resolve: (item) => [...item.eventTypes],
      }),
    }),
  });

const LeadTimeRef = builder.objectRef<StoredSettings['leadTimes'][number]>('EligibilityLeadTime').implement({
  description: 'The lead time (notice period) applied for one notice version in force.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    version: t.field({
      type: NoticeVersionRef,
      nullable: true,
      description: 'The version in force.',
      resolve: (item, _args, context) => context.services.eligibility.version(item.versionId),
    }),
    days: t.exposeInt('days', { description: 'Exact 24-hour days between first reach and processing.' }),
    frozen: t.exposeBoolean('frozen', {
      description:
        "True when frozen with the version at publication; false when it had none and the controller's setting was used.",
    }),
  }),
});

const SettingsRef = builder.objectRef<StoredSettings>('EligibilitySettings').implement({
  description:
    'The controller settings a manifest was computed with, stored with it: verification recomputes with these, not the current ones.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    reachEvidence: t.field({
      type: [ChannelReachRef],
      description: 'Per channel, the event types that counted as reach.',
      resolve: (settings) =>
        Object.entries(settings.reachEvidence).map(([channel, eventTypes]) => ({
          channel: channel as Channel,
          eventTypes,
        })),
    }),
    minimumNoticeDays: t.exposeInt('minimumNoticeDays', {
      description: "The controller's notice period then: the lead time of a version published without one.",
    }),
    leadTimes: t.field({
      type: [LeadTimeRef],
      description:
        'The lead time applied per notice version in force that describes the purpose revision (legitimate interests; empty otherwise).',
      resolve: (settings) => [...settings.leadTimes],
    }),
  }),
});

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
    settings: t.field({
      type: SettingsRef,
      nullable: true,
      description:
        'The settings the decision used (reach evidence per channel, lead times); null for a manifest stored before settings were.',
      resolve: (manifest) => storedSettings(manifest.settings),
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
      context.services.eligibility.verifyManifest(decodeGlobalIdOf('EligibilityManifest', args.id), {
        signal: context.signal,
      }),
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
      context.services.eligibility.createManifest(input.purposeKey, input.at ?? null, {
        signal: context.signal,
      }),
  }),
}));
