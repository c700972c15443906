import { z } from 'zod';
import { changeTypeNames } from '../change-feed/change-types.js';

export const createEndpointSchema = z.object({
  url: z.string().trim().min(1, 'must not be empty').max(2_000, 'must be at most 2,000 characters'),
  description: z.string().trim().max(500, 'must be at most 500 characters').nullish(),
  eventTypes: z
    .array(z.enum(changeTypeNames as [string, ...string[]]))
    .refine((items) => new Set(items).size === items.length, 'must not repeat a type')
    .nullish(),
});

export type CreateEndpointInput = z.input<typeof createEndpointSchema>;
