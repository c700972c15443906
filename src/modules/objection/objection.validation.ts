import { z } from 'zod';
import { isStorableText } from '../../lib/storable-text.js';

/** What a person said with an objection: their grounds (Art. 21(1)) and whether it is against direct marketing (Art. 21(2)). */
export const objectionDetails = z.object({
  grounds: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(10_000, 'must be at most 10000 characters')
    .refine(isStorableText, 'must not contain U+0000 or an unpaired surrogate')
    .nullish(),
  directMarketing: z.boolean().nullish(),
});

export type ObjectionDetails = z.output<typeof objectionDetails>;

export const objectionOutcomes = ['HONOURED', 'REFUSED'] as const;

/** A decision on a case: honoured, or refused with the compelling legitimate grounds (Art. 21(1)). */
export const decideObjectionSchema = z
  .object({
    caseId: z.string(),
    outcome: z.enum(objectionOutcomes),
    refusalReason: z.string().trim().min(1, 'must not be empty').max(10_000).nullish(),
  })
  .superRefine((input, context) => {
    if (input.outcome === 'REFUSED' && !input.refusalReason) {
      context.addIssue({
        code: 'custom',
        path: ['refusalReason'],
        message:
          'a refusal states the compelling legitimate grounds that override the person’s interests (Art. 21(1))',
      });
    }
    if (input.outcome === 'HONOURED' && input.refusalReason) {
      context.addIssue({ code: 'custom', path: ['refusalReason'], message: 'applies only to REFUSED' });
    }
  });

/** The controller's deadline for deciding an objection, in days (Art. 12(3): one month, ADR 0035). */
export const objectionDecisionDays = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(90, 'must be 90 or less (Art. 12(3): one month, extendable by two further months)');
