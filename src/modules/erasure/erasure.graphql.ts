import { z } from 'zod';
import { builder } from '../../graphql/builder.js';
import { commonErrors } from '../../graphql/errors.graphql.js';
import { subjectRef } from '../notification/notification.validation.js';
import type { ErasureResult } from './erasure.service.js';

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
  }),
});

builder.mutationFields((t) => ({
  eraseSubject: t.field({
    type: EraseSubjectPayload,
    description:
      'Erases a person (GDPR Art. 17): the registry can no longer link any record to them; counts and the audit chain stay valid. ADMIN only.',
    authScopes: { role: 'manageController' },
    errors: { types: commonErrors },
    args: { input: t.arg({ type: EraseSubjectInput, description: 'Whom to erase.' }) },
    resolve: (_root, { input }, context) => context.services.erasure.erase(input.subjectRef),
  }),
}));
