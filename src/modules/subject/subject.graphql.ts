import { NotFoundError } from '../../domain/errors.js';
import { builder } from '../../graphql/builder.js';
import { tenantNodeWhere } from '../../lib/uuid.js';
import { ownsRecord } from '../access/access.policy.js';
import {
  ChannelEnum,
  EventTypeEnum,
  NotificationEventRef,
  NotificationRef,
  ResponseKindEnum,
} from '../notification/notification.graphql.js';
import type { EvidenceStrength } from '../notification/reach.policy.js';
import type { NotificationProof, ProofNotification, PurposeStateView } from './subject.service.js';
import { selectsSubjectColumnsOnly, subjectLookahead } from './subject-lookahead.js';

export const ResponseRef = builder.prismaNode('Response', {
  nullable: true,
  description: 'What a subject answered about a purpose. Append-only.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (response, context) => ownsRecord(context.viewer, response) && { role: 'viewRecords' },
  fields: (t) => ({
    subject: t.relation('subject', { description: 'Who answered.' }),
    purpose: t.relation('purpose', { description: 'About which purpose.' }),
    kind: t.expose('kind', { type: ResponseKindEnum, description: 'The answer.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When it was given.' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime', description: 'When Notarium recorded it.' }),
    channel: t.expose('channel', { type: ChannelEnum, description: 'Where it was given.' }),
    version: t.relation('version', { nullable: true, description: 'The notice version answered, if given.' }),
    idempotencyKey: t.exposeString('idempotencyKey', { description: 'The client-chosen key.' }),
  }),
});

const ConsentStateEnum = builder.enumType('ConsentState', {
  description: 'Consent for a purpose, as derived from the responses.',
  values: {
    NONE: { description: 'Never given.' },
    GIVEN: { description: 'Given and neither withdrawn nor lapsed.' },
    WITHDRAWN: { description: 'Withdrawn.' },
    REFUSED: { description: 'The latest answer to a request for consent was a refusal.' },
    LAPSED: { description: "Given, but older than the purpose's consent validity period." },
  },
});

const ObjectionStateEnum = builder.enumType('ObjectionState', {
  description: 'Objection (Art. 21) to a purpose, as derived from the responses.',
  values: {
    NONE: { description: 'Never objected.' },
    STANDING: { description: 'Objected and not withdrawn.' },
    WITHDRAWN: { description: 'Objected, then withdrew the objection.' },
  },
});

const PurposeStateRef = builder.objectRef<PurposeStateView>('SubjectPurposeState').implement({
  description: "A subject's current consent and objection state for one purpose.",
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    purposeKey: t.exposeString('purposeKey', { description: 'The purpose.' }),
    consent: t.expose('consent', {
      type: ConsentStateEnum,
      description: 'NONE, GIVEN, WITHDRAWN or LAPSED.',
    }),
    consentExpiresAt: t.expose('consentExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a given consent lapses, if the purpose sets a validity period.',
    }),
    objection: t.expose('objection', {
      type: ObjectionStateEnum,
      description: 'NONE, STANDING or WITHDRAWN.',
    }),
    consentResponse: t.prismaField({
      type: 'Response',
      nullable: true,
      description: 'The response that decided the consent state.',
      resolve: (query, state, _args, context) =>
        state.consentResponse ? context.services.subject.response(state.consentResponse.id, query) : null,
    }),
    objectionResponse: t.prismaField({
      type: 'Response',
      nullable: true,
      description: 'The response that decided the objection state.',
      resolve: (query, state, _args, context) =>
        state.objectionResponse ? context.services.subject.response(state.objectionResponse.id, query) : null,
    }),
  }),
});

const EvidenceStrengthEnum = builder.enumType('EvidenceStrength', {
  description:
    'How strong the evidence is that one notification reached the person, from its delivery events (docs/notifications.md, "Evidence strength").',
  values: {
    ACKNOWLEDGED: { description: 'The person acknowledged it.' },
    SEEN: { description: 'It was shown: displayed, opened or dismissed.' },
    DELIVERED: { description: 'It was delivered, with nothing showing it was seen.' },
    SENT_ONLY: { description: 'It was only sent: no delivery, display or answer.' },
    NOT_DELIVERED: { description: 'It bounced or failed, and nothing shows it arrived after all.' },
    RECORDED_ONLY: { description: 'No delivery event at all: only the record of the notification.' },
  } satisfies Record<EvidenceStrength, { description: string }>,
});

const ProofNotificationRef = builder.objectRef<ProofNotification>('ProofNotification').implement({
  description: 'A notification of the version, with its events and whether it reached the person.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    notification: t.field({
      type: NotificationRef,
      description: 'The notification.',
      resolve: (item) => item,
    }),
    events: t.field({
      type: [NotificationEventRef],
      description: 'Its events, oldest first.',
      resolve: (item) => item.events,
    }),
    evidenceStrength: t.expose('evidenceStrength', {
      type: EvidenceStrengthEnum,
      description: 'How strong the evidence of its events is, whatever the channel: ACKNOWLEDGED strongest.',
    }),
    countingEvents: t.field({
      type: [EventTypeEnum],
      description:
        "The event types that count as reaching the person on its channel, under the controller's reach evidence as it is now.",
      resolve: (item) => [...item.countingEvents],
    }),
    reached: t.boolean({
      description: 'Whether one of its events is of a type that counts (countingEvents).',
      resolve: (item) => item.reachedAt !== null,
    }),
    reachedAt: t.expose('reachedAt', {
      type: 'DateTime',
      nullable: true,
      description:
        'When it reached the person: its earliest event of a type that counts. Null when none: sending alone never reaches, and in-app or banner notices need DISPLAYED (or the person acting on them).',
    }),
    textHash: t.exposeString('textHash', {
      nullable: true,
      description:
        "The per-locale text hash of the version's text in the notification's locale (docs/content-hash.md): the exact title and body it pointed to.",
    }),
  }),
});

const ProofRef = builder.objectRef<NotificationProof>('NotificationProof').implement({
  description: 'Whether, when and how a subject was told of one notice version, with the records behind it.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    version: t.prismaField({
      type: 'NoticeVersion',
      description: 'The version (content hash, effective date).',
      resolve: (query, proof, _args, context) => context.services.subject.proofVersion(proof, query),
    }),
    contentHash: t.string({
      nullable: true,
      description: "The version's content hash (docs/content-hash.md): every locale and the purposes.",
      resolve: (proof) => proof.version.contentHash,
    }),
    notifications: t.field({
      type: [ProofNotificationRef],
      description: 'Every notification of it to the subject, oldest first.',
      resolve: (proof) => proof.notifications,
    }),
    reached: t.exposeBoolean('reached', {
      description: "Whether any of them reached the person under the controller's reach evidence.",
    }),
    firstReachedAt: t.expose('firstReachedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'The earliest reachedAt of the notifications.',
    }),
    daysBeforeEffective: t.exposeFloat('daysBeforeEffective', {
      nullable: true,
      description:
        'Days between first reaching the person and the effective date (negative: after), to two decimals. Informative: leadTimeMet decides.',
    }),
    minimumNoticeDays: t.exposeInt('minimumNoticeDays', {
      description:
        "The version's notice period in days, frozen when it was published (the controller's current setting only for a version that has none).",
    }),
    leadTimeEndsAt: t.expose('leadTimeEndsAt', {
      type: 'DateTime',
      nullable: true,
      description: 'firstReachedAt + minimumNoticeDays × 24 h: when the lead time for this person ends.',
    }),
    leadTimeMet: t.exposeBoolean('leadTimeMet', {
      description:
        'Whether the person was reached and the lead time ended by the effective date (leadTimeEndsAt ≤ effectiveFrom).',
    }),
    batchIds: t.exposeStringList('batchIds', {
      description: 'The recording batches (audit references) of these notifications.',
    }),
  }),
});

export const SubjectRef = builder.prismaNode('Subject', {
  nullable: true,
  description: 'A person, known only by a keyed hash of the controller’s own user reference.',
  id: { field: 'id' },
  findUnique: (id, context) => tenantNodeWhere(id, context.viewer.controllerId),
  authScopes: (subject, context) => ownsRecord(context.viewer, subject) && { role: 'viewRecords' },
  fields: (t) => ({
    jurisdiction: t.exposeString('jurisdiction', {
      nullable: true,
      description: 'ISO 3166-1 country, if known.',
    }),
    locale: t.exposeString('locale', { nullable: true, description: 'Locale, if known.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'First recorded.' }),
    notifications: t.relatedConnection('notifications', {
      authScopes: { role: 'readRecords' },
      cursor: 'id',
      description: 'Notifications of this subject, latest first.',
      query: { orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] },
    }),
    responses: t.relatedConnection('responses', {
      authScopes: { role: 'readRecords' },
      cursor: 'id',
      description: 'Responses of this subject, latest first.',
      query: { orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }] },
    }),
    purposeStates: t.field({
      authScopes: { role: 'readRecords' },
      type: [PurposeStateRef],
      description: 'Consent and objection state per purpose the subject answered about.',
      args: { at: t.arg({ type: 'DateTime', required: false, description: 'The instant (default: now).' }) },
      resolve: (subject, args, context) =>
        context.services.subject.purposeStates(subject.id, args.at ?? new Date()),
    }),
    notificationProof: t.field({
      authScopes: { role: 'readRecords' },
      type: ProofRef,
      description:
        'Proof of notification of one version: notifications, events, reach, lead time, audit references.',
      errors: { types: [NotFoundError] },
      args: {
        noticeKey: t.arg.string({ description: 'The notice.' }),
        version: t.arg.int({ description: 'The version number.' }),
      },
      resolve: (subject, args, context) =>
        context.services.subject.notificationProof(subject.id, args.noticeKey, args.version),
    }),
  }),
});

builder.queryFields((t) => ({
  subject: t.prismaField({
    type: 'Subject',
    nullable: true,
    description:
      "A subject by the controller's own user reference (hashed before lookup); null if never recorded.",
    authScopes: { role: 'readRecords' },
    args: { ref: t.arg.string({ description: "The controller's user reference." }) },
    resolve: (query, _root, args, context, info) => {
      // A proof or eligibility lookup is read with its subject, in one statement (ADR 0026).
      const lookup = selectsSubjectColumnsOnly(query) ? subjectLookahead(info) : null;
      const { notification, subject, eligibility } = context.services;
      if (lookup === null) return notification.subjectByRef(args.ref, query);
      const refHash = notification.refHash(args.ref);
      return lookup.kind === 'proof'
        ? subject.subjectWithProof(refHash, lookup)
        : eligibility.subjectWithDecision(refHash, lookup);
    },
  }),
}));
