import { z } from 'zod';
import { proofRetentionMonths } from '../erasure/retention.validation.js';
import { channels, eventTypes } from '../notification/notification.validation.js';
import { notReachEvents } from '../notification/reach.policy.js';
import { objectionDecisionDays } from '../objection/objection.validation.js';

const optionalText = z.string().trim().min(1, 'must not be empty').max(500).nullish();

export const controllerSlug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be lowercase letters, digits and dashes (1-64)');

/** A day: more is not clock skew but back-dating. */
export const maxClockSkewToleranceSeconds = 86_400;

/**
 * The event types that count as reaching a person on one channel (docs/notifications.md, "What
 * counts as reaching a person"): at least one, no repeats, and never an event that cannot show
 * reach (SENT, BOUNCED, FAILED).
 */
export const reachEventTypes = z
  .array(z.enum(eventTypes))
  .min(1, 'give at least one event type')
  .superRefine((types, context) => {
    types.forEach((type, index) => {
      if (notReachEvents.includes(type))
        context.addIssue({
          code: 'custom',
          path: [index],
          message: `${type} never shows that a notification reached the person`,
        });
      else if (types.indexOf(type) !== index)
        context.addIssue({ code: 'custom', path: [index], message: `repeats ${type}` });
    });
  });

/** The setting as stored and as the CLI takes it: per channel named, the event types that count. */
export const reachEvidenceSetting = z.partialRecord(z.enum(channels), reachEventTypes, {
  error: (issue) =>
    issue.code === 'invalid_key'
      ? 'is not a channel'
      : issue.code === 'invalid_type'
        ? 'must be an object of channels to lists of event types'
        : undefined,
});

/** A change through the API: per channel, the event types that count, or null for the default. */
export const reachEvidenceChanges = z
  .array(z.object({ channel: z.enum(channels), eventTypes: reachEventTypes.nullish() }))
  .superRefine((changes, context) => {
    changes.forEach((change, index) => {
      if (changes.findIndex((other) => other.channel === change.channel) !== index)
        context.addIssue({ code: 'custom', path: [index, 'channel'], message: `repeats ${change.channel}` });
    });
  });

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
  reachEvidence: reachEvidenceSetting.optional(),
  proofRetentionMonths: proofRetentionMonths.optional(),
});

export const updateControllerSchema = z.object({
  name: controllerFields.name.nullish(),
  legalName: controllerFields.legalName.nullish(),
  contactEmail: controllerFields.contactEmail.nullish(),
  dpoContact: controllerFields.dpoContact,
  euRepresentative: controllerFields.euRepresentative,
  minimumNoticeDays: controllerFields.minimumNoticeDays.nullish(),
  clockSkewToleranceSeconds: controllerFields.clockSkewToleranceSeconds.nullish(),
  reachEvidence: reachEvidenceChanges.nullish(),
  publicNoticePages: z.boolean().nullish(),
  objectionDecisionDays: objectionDecisionDays.nullish(),
  proofRetentionMonths: proofRetentionMonths.nullish(),
});

export type CreateControllerInput = z.input<typeof createControllerSchema>;
export type UpdateControllerInput = z.output<typeof updateControllerSchema>;
export type ReachEvidenceSetting = z.output<typeof reachEvidenceSetting>;
export type ReachEvidenceChange = z.output<typeof reachEvidenceChanges>[number];
