import { z } from 'zod';
import { builder } from '../../graphql/builder.js';
import { subjectRef } from '../notification/notification.validation.js';
import type { AccessReport } from './access-request.service.js';

const AccessReportRef = builder.objectRef<AccessReport>('AccessReport').implement({
  authScopes: { role: 'readRecords' },
  description:
    'What the registry holds about one person (GDPR Art. 15): the same document as POST /access-request (docs/access-requests.md).',
  fields: (t) => ({
    format: t.exposeString('format', { description: 'The document format, notarium.access-report.v1.' }),
    generatedAt: t.field({
      type: 'DateTime',
      description: 'When the report was made; states and verdicts are as of this instant.',
      resolve: (report) => new Date(report.generatedAt),
    }),
    subjectId: t.id({ description: 'Raw ID of the subject record.', resolve: (report) => report.subject.id }),
    notificationCount: t.int({
      description: 'Notifications in the report.',
      resolve: (report) => report.notifications.length,
    }),
    responseCount: t.int({
      description: 'Responses in the report.',
      resolve: (report) => report.responses.length,
    }),
    document: t.field({
      type: 'JSON',
      description:
        'The whole report: every notification with the notice text and message template it referred to and its delivery events, every response, the state per purpose and the eligibility verdicts now.',
      resolve: (report) => report,
    }),
  }),
});

builder.queryFields((t) => ({
  accessRequest: t.field({
    type: AccessReportRef,
    nullable: true,
    description:
      "A person's access report (GDPR Art. 15) by the controller's own user reference; null when the registry has no record of them (never recorded, or erased). Recorded in the audit trail. ADMIN or AUDITOR.",
    authScopes: { role: 'readRecords' },
    args: { subjectRef: t.arg.string({ description: "The controller's user reference." }) },
    validate: z.object({ subjectRef }),
    resolve: (_root, args, context) => context.services.accessRequest.reportOrNull(args.subjectRef),
  }),
}));
