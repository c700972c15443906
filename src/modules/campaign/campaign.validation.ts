import { z } from 'zod';
import { channels } from '../notification/notification.validation.js';
import { recordKey } from '../purpose/purpose.validation.js';

export type Channel = (typeof channels)[number];

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const createCampaignSchema = z.object({
  name: text(200),
  noticeKey: recordKey,
  versionNumber: z.number().int('must be a whole number').min(1, 'must be 1 or more'),
  channels: z
    .array(z.enum(channels))
    .min(1, 'give at least one channel')
    .refine((items) => new Set(items).size === items.length, 'must not repeat a channel'),
  audienceDescription: text(2_000),
  plannedSize: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(2_000_000_000, 'must be at most 2,000,000,000'),
});

export type CreateCampaign = z.output<typeof createCampaignSchema>;

/** Channels in the order of the enum, so that the same set always compares (and reads) the same. */
export function canonicalChannels(items: readonly Channel[]): Channel[] {
  return channels.filter((channel) => items.includes(channel));
}
