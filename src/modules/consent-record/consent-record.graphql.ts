import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import type { ConsentRecordExport } from './consent-record.service.js';
import type { exportFormats } from './record-formats.js';

const ConsentRecordFormatEnum = builder.enumType('ConsentRecordFormat', {
  description: 'The exchange form of exported consent records (docs/consent-records.md).',
  values: {
    ISO_27560: {
      description: 'JSON shaped after ISO/IEC TS 27560:2023 (consent record information structure).',
    },
    DPV: { description: 'JSON-LD with the W3C Data Privacy Vocabulary (dpv:ConsentRecord).' },
  } satisfies Record<(typeof exportFormats)[number], { description: string }>,
});

const ConsentRecordExportInput = builder.inputType('ConsentRecordExportInput', {
  description:
    'Which records to export: one person (subjectRef), a purpose, a period, or a combination; all given criteria must hold.',
  fields: (t) => ({
    format: t.field({ type: ConsentRecordFormatEnum, description: 'The exchange form.' }),
    subjectRef: t.string({
      required: false,
      description: "One person, by the controller's own reference (hashed before it is looked up).",
    }),
    purposeKey: t.string({ required: false, description: 'One purpose.' }),
    from: t.field({ type: 'DateTime', required: false, description: 'Answers given at or after.' }),
    to: t.field({ type: 'DateTime', required: false, description: 'Answers given at or before.' }),
  }),
});

const ConsentRecordExportRef = builder.objectRef<ConsentRecordExport>('ConsentRecordExport').implement({
  description: 'Exported consent records, checked against the shipped JSON Schema of their format.',
  authScopes: { role: 'readRecords' },
  fields: (t) => ({
    format: t.expose('format', { type: ConsentRecordFormatEnum, description: 'The exchange form.' }),
    recordCount: t.exposeInt('recordCount', { description: 'Records in the document.' }),
    truncated: t.exposeBoolean('truncated', {
      description:
        'More than 10,000 records matched and only the first (oldest) 10,000 are here: narrow the selection.',
    }),
    document: t.field({
      type: 'JSON',
      description: 'The document: 27560-shaped JSON or DPV JSON-LD.',
      resolve: (result) => result.document,
    }),
  }),
});

builder.queryFields((t) => ({
  consentRecords: t.field({
    type: ConsentRecordExportRef,
    description:
      "Exports the controller's consent records (consents, refusals, withdrawals, objections) as ISO/IEC TS 27560-shaped JSON or DPV JSON-LD; audited. ADMIN or AUDITOR.",
    authScopes: { role: 'readRecords' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: ConsentRecordExportInput, description: 'The selection.' }) },
    resolve: (_root, { input }, context) => context.services.consentRecord.export(input),
  }),
}));
