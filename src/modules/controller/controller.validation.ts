import { z } from 'zod';

const optionalText = z.string().trim().min(1, 'must not be empty').max(500).nullish();

export const controllerSlug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lowercase letters, digits and dashes (1-64)');

/** A day: more is not clock skew but back-dating. */
export const maxClockSkewToleranceSeconds = 86_400;

export const controllerFields = {
  name: z.string().trim().min(1, 'must not be empty').max(200),
  legalName: z.string().trim().min(1, 'must not be empty').max(300),
  contactEmail: z.email('must be an e-mail address'),
  dpoContact: optionalText,
  euRepresentative: optionalText,
  minimumNoticeDays: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(365, 'must be 365 or less'),
  clockSkewToleranceSeconds: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(maxClockSkewToleranceSeconds, `must be ${maxClockSkewToleranceSeconds} (one day) or less`),
};

export const createControllerSchema = z.object({
  slug: controllerSlug,
  ...controllerFields,
  minimumNoticeDays: controllerFields.minimumNoticeDays.default(28),
  clockSkewToleranceSeconds: controllerFields.clockSkewToleranceSeconds.optional(),
});

export const updateControllerSchema = z.object({
  name: controllerFields.name.nullish(),
  legalName: controllerFields.legalName.nullish(),
  contactEmail: controllerFields.contactEmail.nullish(),
  dpoContact: controllerFields.dpoContact,
  euRepresentative: controllerFields.euRepresentative,
  minimumNoticeDays: controllerFields.minimumNoticeDays.nullish(),
  clockSkewToleranceSeconds: controllerFields.clockSkewToleranceSeconds.nullish(),
});

export type CreateControllerInput = z.input<typeof createControllerSchema>;
export type UpdateControllerInput = z.output<typeof updateControllerSchema>;
