import { z } from 'zod';

/** The longest schedule a controller may set: 100 years. */
export const maxProofRetentionMonths = 1200;

/**
 * How many months after a person's last processing their proof records are kept
 * (docs/retention.md); no value (null) keeps them for ever.
 */
export const proofRetentionMonths = z
  .number()
  .int('must be a whole number of months')
  .min(1, 'must be 1 or more (null keeps the records for ever)')
  .max(maxProofRetentionMonths, `must be ${maxProofRetentionMonths} (100 years) or less`);
