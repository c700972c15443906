import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import type { PurgeReport } from './retention.service.js';

const PurgeExpiredRecordsInput = builder.inputType('PurgeExpiredRecordsInput', {
  description: 'How to run the retention schedule (docs/retention.md).',
  fields: (t) => ({
    dryRun: t.boolean({
      required: false,
      defaultValue: false,
      description: 'Count what is due without deleting or recording anything. Default false.',
    }),
  }),
});

const PurgeExpiredRecordsPayload = builder.objectRef<PurgeReport>('PurgeExpiredRecordsPayload').implement({
  description:
    "What the retention schedule purged (or, in a dry run, would purge): whole people's proof records, as counts. Never names a person.",
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun', { description: 'True when nothing was deleted or recorded.' }),
    retentionMonths: t.exposeInt('retentionMonths', {
      nullable: true,
      description: "The controller's proofRetentionMonths; null: no schedule, records are kept for ever.",
    }),
    cutoff: t.expose('cutoff', {
      type: 'DateTime',
      nullable: true,
      description:
        'Now minus the retention period: people whose last processing is before this instant were due. Null without a schedule.',
    }),
    subjects: t.exposeInt('subjects', {
      description: 'People whose records were purged (their subject rows too).',
    }),
    notifications: t.exposeInt('notifications', { description: 'Notifications purged.' }),
    events: t.exposeInt('events', { description: 'Delivery events purged.' }),
    responses: t.exposeInt('responses', { description: 'Responses purged.' }),
    objectionCases: t.exposeInt('objectionCases', { description: 'Decided objection cases purged.' }),
    heldForLegalHold: t.exposeInt('heldForLegalHold', {
      description:
        'People due by time but kept because an open regulator request names them (GDPR Art. 17(3)(e)).',
    }),
    heldForOpenObjection: t.exposeInt('heldForOpenObjection', {
      description:
        'People due by time but kept because one of their objection cases is open (GDPR Art. 21(1)).',
    }),
  }),
});

builder.mutationFields((t) => ({
  purgeExpiredRecords: t.field({
    type: PurgeExpiredRecordsPayload,
    description:
      "Applies the controller's retention schedule now: deletes the proof records (notifications, their events, responses, decided objection cases, the subject) of every person whose last processing is older than proofRetentionMonths, whole people only, except those on legal hold or with an open objection (counted as held). Audit entries (retention:purge, retention:run) hold the counts; the audit chain and the transparency log stay verifiable. ADMIN only. The CLI runs the same: npm run cli -- retention purge.",
    authScopes: { role: 'manageController' },
    errors: { types: commonErrors },
    args: {
      input: t.arg({
        type: PurgeExpiredRecordsInput,
        required: false,
        description: 'Options; omitted: a real run.',
      }),
    },
    resolve: (_root, { input }, context) => context.services.erasure.purgeExpired(input?.dryRun ?? false),
  }),
}));
