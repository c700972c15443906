import { builder } from '../../graphql/builder.js';
import type { LineChange } from './text-diff.js';
import type {
  ClassificationReason,
  FieldChange,
  PurposeChange,
  TextChange,
  VersionDiff,
  WordingSignOff,
} from './version-diff.js';

export const ChangeClassEnum = builder.enumType('ChangeClass', {
  description: 'What a new version demands of the controller towards people.',
  values: {
    EDITORIAL: { description: 'Wording only: no new notification needed.' },
    RENOTIFY: { description: 'People must be notified again before it takes effect.' },
    RECONSENT: { description: 'Consent must be asked for again.' },
  },
});

export const ClassificationReasonRef = builder
  .objectRef<ClassificationReason>('ClassificationReason')
  .implement({
    description: 'One reason behind a classification.',
    authScopes: { role: 'viewNotices' },
    fields: (t) => ({
      classification: t.expose('classification', {
        type: ChangeClassEnum,
        description: 'What this reason demands.',
      }),
      code: t.exposeString('code', { description: 'Stable code, e.g. PURPOSE_ADDED, RECIPIENTS_ADDED.' }),
      purposeKey: t.exposeString('purposeKey', {
        nullable: true,
        description: 'The purpose concerned, if any.',
      }),
      message: t.exposeString('message', { description: 'Explanation for people.' }),
    }),
  });

export const WordingSignOffRef = builder.objectRef<WordingSignOff>('WordingSignOff').implement({
  description:
    "A publisher's signed statement that a version's wording changes are not material: they are EDITORIAL instead of RENOTIFY.",
  authScopes: { role: 'viewNotices' },
  fields: (t) => ({
    signedBy: t.exposeString('signedBy', { description: 'Who signed it off, as the publisher named them.' }),
    reason: t.exposeString('reason', { description: 'Why the wording changes are not material.' }),
    apiKeyId: t.exposeString('apiKeyId', { description: 'ID of the API key that published the version.' }),
    signedAt: t.field({
      type: 'DateTime',
      description: 'When it was given: the publication instant.',
      resolve: (signOff) => new Date(signOff.signedAt),
    }),
  }),
});

const FieldChangeRef = builder.objectRef<FieldChange>('PurposeFieldChange').implement({
  description: 'A purpose field whose value differs between the two versions.',
  authScopes: { role: 'readNotices' },
  fields: (t) => ({
    field: t.exposeString('field', { description: 'Field name, as on PurposeRevision.' }),
    before: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Value before.',
      resolve: (change) => change.before,
    }),
    after: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Value after.',
      resolve: (change) => change.after,
    }),
  }),
});

const PurposeChangeRef = builder.objectRef<PurposeChange>('PurposeChange').implement({
  description: 'A purpose covered by both versions whose content differs.',
  authScopes: { role: 'readNotices' },
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The purpose.' }),
    fromRevision: t.exposeInt('fromRevision', { description: 'Revision pinned by the older version.' }),
    toRevision: t.exposeInt('toRevision', { description: 'Revision pinned by the newer version.' }),
    changes: t.field({
      type: [FieldChangeRef],
      description: 'Fields that differ.',
      resolve: (c) => c.changes,
    }),
  }),
});

const LineKindEnum = builder.enumType('LineChangeKind', {
  description: 'Whether a line was added or removed.',
  values: {
    ADDED: { description: 'Only in the newer text.' },
    REMOVED: { description: 'Only in the older text.' },
  },
});

const LineChangeRef = builder.objectRef<LineChange>('LineChange').implement({
  description: 'A changed line of a body text.',
  authScopes: { role: 'readNotices' },
  fields: (t) => ({
    kind: t.expose('kind', { type: LineKindEnum, description: 'ADDED or REMOVED.' }),
    line: t.exposeInt('line', {
      description: 'Line number (1-based) in the newer text if ADDED, else the older.',
    }),
    text: t.exposeString('text', { description: 'The line.' }),
  }),
});

const TextStatusEnum = builder.enumType('TextChangeStatus', {
  description: 'How a locale changed.',
  values: {
    ADDED: { description: 'Locale only in the newer version.' },
    REMOVED: { description: 'Locale only in the older version.' },
    CHANGED: { description: 'Locale in both, with different text.' },
  },
});

const TextChangeRef = builder.objectRef<TextChange>('TextChange').implement({
  description: 'Text changes in one locale.',
  authScopes: { role: 'readNotices' },
  fields: (t) => ({
    locale: t.expose('locale', { type: 'Locale', description: 'The locale.' }),
    status: t.expose('status', { type: TextStatusEnum, description: 'ADDED, REMOVED or CHANGED.' }),
    titleChanged: t.exposeBoolean('titleChanged', { description: 'Whether the title differs.' }),
    lines: t.field({
      type: [LineChangeRef],
      description: 'Changed body lines.',
      resolve: (change) => change.lines,
    }),
  }),
});

export const VersionDiffRef = builder.objectRef<VersionDiff>('NoticeVersionDiff').implement({
  description: 'What changed between two versions of a notice, and what that demands.',
  authScopes: { role: 'readNotices' },
  fields: (t) => ({
    purposesAdded: t.exposeStringList('purposesAdded', {
      description: 'Keys of purposes only in the newer version.',
    }),
    purposesRemoved: t.exposeStringList('purposesRemoved', {
      description: 'Keys only in the older version.',
    }),
    purposesChanged: t.field({
      type: [PurposeChangeRef],
      description: 'Purposes in both whose content differs.',
      resolve: (diff) => diff.purposesChanged,
    }),
    textChanges: t.field({
      type: [TextChangeRef],
      description: 'Per-locale text changes.',
      resolve: (d) => d.textChanges,
    }),
    effectiveFromChanged: t.exposeBoolean('effectiveFromChanged', {
      description: 'Whether the effective date differs.',
    }),
    classification: t.expose('classification', {
      type: ChangeClassEnum,
      description: 'The most demanding reason.',
    }),
    reasons: t.field({
      type: [ClassificationReasonRef],
      description: 'Every reason.',
      resolve: (diff) => diff.reasons,
    }),
    wordingSignOff: t.field({
      type: WordingSignOffRef,
      nullable: true,
      description:
        "The newer version's sign-off of its wording changes, when it applies: only between consecutive versions.",
      resolve: (diff) => diff.wordingSignOff,
    }),
  }),
});
