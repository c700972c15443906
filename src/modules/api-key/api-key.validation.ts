import { z } from 'zod';

export const assignableRoles = ['ADMIN', 'EDITOR', 'NOTIFIER', 'READER', 'AUDITOR'] as const;

export const keyName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

export function createApiKeySchema(now: () => Date = () => new Date()) {
  return z.object({
    name: keyName,
    role: z.enum(assignableRoles, { message: `must be one of ${assignableRoles.join(', ')}` }),
    expiresAt: z
      .date()
      .refine((value) => value.getTime() > now().getTime(), 'must be in the future')
      .nullish(),
    trustedDocumentsOnly: z.boolean().nullish(),
  });
}

export type CreateApiKeyInput = z.output<ReturnType<typeof createApiKeySchema>>;
