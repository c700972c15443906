import { z } from 'zod';
import { addDays } from '../../lib/time.js';
import { subjectRef } from '../notification/notification.validation.js';
import { recordKey } from '../purpose/purpose.validation.js';

export const maxRegulatorKeyDays = 90;

export const openRequestSchema = z
  .object({
    authority: z.string().trim().min(1, 'must not be empty').max(300),
    reference: z.string().trim().min(1, 'must not be empty').max(300),
    subjectRefs: z.array(subjectRef).max(10_000).nullish(),
    noticeKeys: z.array(recordKey).max(1_000).nullish(),
    periodFrom: z.date().nullish(),
    periodTo: z.date().nullish(),
  })
  .superRefine((input, context) => {
    if (!input.subjectRefs?.length && !input.noticeKeys?.length && !input.periodFrom && !input.periodTo) {
      context.addIssue({
        code: 'custom',
        path: ['subjectRefs'],
        message: 'give at least one scope: subjects, notices or a period',
      });
    }
    if (input.periodFrom && input.periodTo && input.periodFrom > input.periodTo) {
      context.addIssue({ code: 'custom', path: ['periodTo'], message: 'must not be before periodFrom' });
    }
  });

export function issueKeySchema(now: () => Date = () => new Date()) {
  return z.object({
    requestId: z.unknown(),
    name: z.string().trim().min(1, 'must not be empty').max(100),
    expiresAt: z
      .date()
      .refine((value) => value.getTime() > now().getTime(), 'must be in the future')
      .refine(
        (value) => value.getTime() <= addDays(now(), maxRegulatorKeyDays).getTime(),
        `must be at most ${maxRegulatorKeyDays} days ahead`,
      ),
  });
}
