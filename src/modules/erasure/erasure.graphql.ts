import { z } from 'zod';
import { builder } from '../../graphql/builder.js';
import { commonErrors, ErrorInterface } from '../../graphql/errors.graphql.js';
import { subjectRef } from '../notification/notification.validation.js';
import { SubjectUnderLegalHoldError } from './erasure.errors.js';
import type { ErasureResult } from './erasure.service.js';
// The retention schedule's purge (removing people's records) is part of this module.
import './retention.graphql.js';

builder.objectType(SubjectUnderLegalHoldError, {
  name: 'SubjectUnderLegalHoldError',
  description:
    'The person is named in an open regulator request: their records are kept for legal claims (GDPR Art. 17(3)(e)) until it is closed. Nothing was erased; the refusal is in the audit trail.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    regulatorRequestIds: t.idList({
      description: 'The open regulator requests (raw IDs) that hold the person.',
      resolve: (error) => [...error.regulatorRequestIds],
    }),
  }),
});

const EraseSubjectInput = builder.inputType('EraseSubjectInput', {
  description: 'The person to erase, by the controller’s own reference.',
  fields: (t) => ({ subjectRef: t.string({ description: "The controller's user reference." }) }),
  validate: z.object({ subjectRef }),
});

const EraseSubjectPayload = builder.objectRef<ErasureResult>('EraseSubjectPayload').implement({
  description: 'What the erasure unlinked. The records stay; nothing links them to the person any more.',
  fields: (t) => ({
    subjectId: t.exposeID('subjectId', { description: 'Raw ID of the (now anonymous) subject record.' }),
    erasedAt: t.expose('erasedAt', { type: 'DateTime', description: 'When it was erased.' }),
    notifications: t.exposeInt('notifications', { description: 'Notifications unlinked.' }),
    responses: t.exposeInt('responses', { description: 'Responses unlinked.' }),
    rehashed: t.exposeInt('rehashed', {
      description:
        'Records made before record-hash format 2, whose hash covered the person’s reference hash, re-hashed to format 2 (docs/content-hash.md).',
    }),
  }),
});

builder.mutationFields((t) => ({
  eraseSubject: t.field({
    type: EraseSubjectPayload,
    description:
      'Erases a person (GDPR Art. 17): the registry can no longer link any record to them; counts, record hashes of format 2 and the audit chain stay valid. Refused with LEGAL_HOLD while an open regulator request names them. Every request, refused or not, is recorded in the audit trail (action subject:erase). ADMIN only.',
    authScopes: { role: 'manageController' },
    errors: { types: [...commonErrors, SubjectUnderLegalHoldError] },
    args: { input: t.arg({ type: EraseSubjectInput, description: 'Whom to erase.' }) },
    resolve: (_root, { input }, context) => context.services.erasure.erase(input.subjectRef),
  }),
}));
